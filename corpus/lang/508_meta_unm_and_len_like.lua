-- __unm receives the operand; result can be any type
local mt = {__unm = function(a) return {v = -a.v} end}
local x = setmetatable({v = 3}, mt)
local y = -x
print(y.v, getmetatable(y) == nil)
local mt2 = {__unm = function(a, b) return "neg", "extra" end}
local z = setmetatable({}, mt2)
print(-z, (-z) .. "!")
print(pcall(function() return -setmetatable({}, {}) end))
