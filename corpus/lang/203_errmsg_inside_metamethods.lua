-- runtime errors inside metamethods name the metamethod's own locals
local mt = {}
mt.__add = function(a, b) local missing; return missing + 1 end
mt.__index = function(t, k) local store; return store[k] end
mt.__concat = function(a, b) local t = {}; return t.nothing.deeper end
mt.__call = function(self) local f; f() end
local obj = setmetatable({}, mt)
print(pcall(function() return obj + 1 end))
print(pcall(function() return obj.key end))
print(pcall(function() return obj .. "s" end))
print(pcall(function() return obj() end))
