-- cycles are collected: objects that only reference each other disappear
-- from a fully weak table
local seen = setmetatable({}, { __mode = "kv" })
do
  local a, b = {}, {}
  a.other, b.other = b, a
  local f
  f = function() return f end
  seen[1], seen[2], seen[3] = a, b, f
  seen[a] = b
end
local survivor = { name = "kept" }
seen[4] = survivor
seen[survivor] = "tag"
collectgarbage()
local n = 0
for k, v in pairs(seen) do n = n + 1 end
print(n, seen[4] == survivor, seen[survivor])
print(seen[1], seen[2], seen[3])
