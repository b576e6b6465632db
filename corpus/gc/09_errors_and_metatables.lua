-- error values, metatables reachable only through setmetatable, and
-- __index chains survive collections
local mt = { __index = function(t, k) return k .. "!" end }
local objs = {}
for i = 1, 100 do objs[i] = setmetatable({}, { __index = setmetatable({ base = i }, mt) }) end
mt = nil
collectgarbage()
print(objs[5].base, objs[7].anything, objs[100].base)
local ok, err = pcall(function()
  local payload = { code = 42, msg = "bad" .. "thing" }
  error(payload)
end)
collectgarbage()
print(ok, err.code, err.msg)
local ok2, e2 = xpcall(function() error({ list = { 1, 2, 3 } }) end, function(e)
  collectgarbage()
  e.seen = true
  return e
end)
print(ok2, #e2.list, e2.seen)
local proxy = setmetatable({}, { __newindex = function(t, k, v) rawset(t, k, { v }) end })
for i = 1, 50 do proxy[i] = "v" .. i end
collectgarbage()
print(proxy[50][1], #proxy)
