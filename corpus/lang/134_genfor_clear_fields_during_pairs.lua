-- assigning nil to existing fields while traversing with pairs is allowed
local t = {}
for i = 1, 10 do t["k" .. i] = i end
for i = 1, 6 do t[i] = i end
local visited = 0
for k, v in pairs(t) do
  visited = visited + 1
  if v % 2 == 0 then t[k] = nil end
end
print(visited)
local left, sum = 0, 0
for k, v in pairs(t) do left = left + 1; sum = sum + v end
print(left, sum)
