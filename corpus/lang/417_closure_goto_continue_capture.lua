-- closures created before goto continue each keep their own iteration variable
local fns = {}
for i = 1, 6 do
  local sq = i * i
  fns[#fns + 1] = function() return sq end
  if i % 2 == 0 then goto continue end
  fns[#fns + 1] = function() return -i end
  ::continue::
end
local s = ""
for n = 1, #fns do s = s .. fns[n]() .. " " end
print(s)
