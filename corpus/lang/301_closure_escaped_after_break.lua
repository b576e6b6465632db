-- a closure over a loop variable survives a break out of the loop
local saved
for i = 1, 10 do
  local sq = i * i
  if i == 4 then
    saved = function() return i, sq end
    break
  end
end
print(saved())
