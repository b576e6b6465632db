-- GC churn: 10^7 iterations, each building and dropping a growing array,
-- a record with a nested table, a closure and a few strings (about 2 KB of
-- garbage per iteration, over 20 GB in all); only a checksum survives.
local checksum = 0
for i = 1, 10000000 do
  local arr = {}
  for j = 1, 70 do arr[j] = i + j end
  local t = { id = i, name = "record-" .. (i % 1000), child = { x = i, y = arr[70] } }
  local f = function() return t.child.x + arr[1] end
  local s = t.name .. "/" .. (i % 97) .. "/" .. #arr
  checksum = (checksum + f() + #s) % 1000003
end
print(checksum)
