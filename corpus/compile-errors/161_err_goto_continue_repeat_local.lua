-- a continue label before until is inside the scope of the body's locals
local i = 0
repeat
  i = i + 1
  if i == 2 then goto continue end
  local done = i >= 3
  ::continue::
until done
print(i)
