-- changing the loop variable copy inside the body affects only that iteration
local fns = {}
for i = 1, 3 do
  i = i * 100
  fns[#fns + 1] = function() return i end
end
print(fns[1](), fns[2](), fns[3]())
