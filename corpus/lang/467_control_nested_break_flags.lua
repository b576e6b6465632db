-- break only leaves the innermost loop; outer loops continue
local out = ""
for i = 1, 3 do
  local j = 0
  while true do
    j = j + 1
    repeat
      if j == 2 then break end
      out = out .. i .. j .. " "
    until true
    if j >= 3 then break end
  end
  out = out .. "| "
end
print(out)
