-- goto continue inside a while loop with a local declared before the label
local i, out = 0, ""
while i < 8 do
  i = i + 1
  local sq = i * i
  if sq % 2 == 0 then goto continue end
  out = out .. sq .. " "
  ::continue::
end
print(out)
