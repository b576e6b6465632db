-- a weak-valued table loses unreachable tables and closures, keeps strings,
-- numbers, booleans and anything still referenced
local cache = setmetatable({}, { __mode = "v" })
local keep = {}
for i = 1, 50 do
  local t = { i }
  cache[i] = t
  if i % 10 == 0 then keep[#keep + 1] = t end
end
cache.f = function() return 1 end
cache.s = "a string " .. 42
cache.n = 3.5
cache.b = true
collectgarbage()
collectgarbage()
local n, tables = 0, 0
for k, v in pairs(cache) do
  n = n + 1
  if type(v) == "table" then tables = tables + 1 end
end
print(n, tables)
for i = 10, 50, 10 do print(i, cache[i] == keep[i / 10]) end
print(cache.f, cache.s, cache.n, cache.b)
print(cache[1], cache[11])
