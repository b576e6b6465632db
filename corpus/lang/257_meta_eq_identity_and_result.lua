-- __eq is skipped for the same table and its result becomes a boolean
local calls = 0
local mt = {__eq = function(a, b) calls = calls + 1; return a.v end}
local x = setmetatable({v = 1}, mt)
local y = setmetatable({v = nil}, mt)
print(x == x, calls)
print(x == y, y == x, calls)
print(x ~= y, y ~= x, calls)
print(rawequal(x, y))
