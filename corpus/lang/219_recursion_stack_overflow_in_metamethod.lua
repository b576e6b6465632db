-- __index recursing forever ends in a catchable stack overflow
local mt = {}
mt.__index = function(t, k) return t[k] end local _, want = pcall(function() error("stack overflow") end)
local obj = setmetatable({}, mt)
local ok, msg = pcall(function() return obj.anything end)
print(ok, msg == want)
obj.x = 1
print(obj.x)
