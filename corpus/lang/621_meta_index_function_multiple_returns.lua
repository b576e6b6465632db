-- __index and __eq returning several values use only the first
local t = setmetatable({}, {__index = function() return "first", "second" end})
print(t.x)
local a, b = t.y, t.z
print(a, b)
local mt = {__eq = function() return false, true end, __lt = function() return nil, 1 end}
local p, q = setmetatable({}, mt), setmetatable({}, mt)
print(p == q, p < q)
