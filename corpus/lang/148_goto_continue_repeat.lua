-- goto continue inside repeat-until without locals before the label
local i, out = 0, ""
repeat
  i = i + 1
  if i == 2 or i == 4 then goto continue end
  out = out .. i
  ::continue::
until i >= 6
print(out)
