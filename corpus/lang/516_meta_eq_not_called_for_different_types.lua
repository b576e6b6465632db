-- __eq is not called when comparing a table with a non-table or with itself
local calls = 0
local mt = {__eq = function() calls = calls + 1; return true end}
local a = setmetatable({}, mt)
print(a == 1, a == "a", a == nil, a == a, calls)
local b = setmetatable({}, mt)
print(a == b, calls)
print(a ~= b, calls)
