-- goto continue at the end of a numeric for body skips the rest of the body
local out = ""
for i = 1, 10 do
  if i % 3 == 0 then goto continue end
  out = out .. i .. ","
  ::continue::
end
print(out)
