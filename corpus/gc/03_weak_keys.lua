-- a weak-keyed table drops entries whose key is unreachable; values do not
-- keep their keys alive only when nothing else does; string keys stay
local owners = setmetatable({}, { __mode = "k" })
local alive = {}
for i = 1, 40 do
  local key = {}
  owners[key] = i
  if i % 4 == 0 then alive[#alive + 1] = key end
end
owners["name"] = "kept"
owners[7] = "number key"
collectgarbage()
local count, sum = 0, 0
for k, v in pairs(owners) do
  count = count + 1
  if type(v) == "number" then sum = sum + v end
end
print(count, sum)
print(owners.name, owners[7])
for i, k in ipairs(alive) do assert(owners[k] == i * 4) end
print("ok")
