-- generic for variables are fresh per iteration
local fns = {}
for k, v in ipairs({"a", "b", "c"}) do
  fns[#fns + 1] = function() return k .. v end
end
print(fns[1](), fns[2](), fns[3]())
