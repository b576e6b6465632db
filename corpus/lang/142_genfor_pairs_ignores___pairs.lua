-- pairs ignores a __pairs metamethod in LuaJIT 2.1
local called = false
local t = setmetatable({1, 2}, {__pairs = function(t)
  called = true
  return function() return nil end, t, nil
end})
local n = 0
for k, v in pairs(t) do n = n + v end
print(n, called)
