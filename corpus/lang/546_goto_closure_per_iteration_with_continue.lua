-- closures captured in a while loop that uses goto continue see per-iteration locals
local fns = {}
local i = 0
while i < 6 do
  i = i + 1
  local v = i * 2
  if i % 3 == 0 then goto continue end
  fns[#fns + 1] = function() return v end
  ::continue::
end
local s = 0
for k = 1, #fns do s = s * 10 + fns[k]() end
print(#fns, s)
