-- closure created just before break in while keeps the local alive
local i = 0
local keep
while true do
  i = i + 1
  local v = {i}
  if i == 5 then
    keep = function() v[1] = v[1] + 1; return v[1] end
    break
  end
end
print(keep(), keep(), i)
