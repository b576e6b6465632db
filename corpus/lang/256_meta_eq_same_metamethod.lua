-- __eq is called only for two tables sharing the same __eq function
local calls = 0
local function eq(a, b) calls = calls + 1; return a.id == b.id end
local mt1 = {__eq = eq}
local mt2 = {__eq = eq}
local a = setmetatable({id = 1}, mt1)
local b = setmetatable({id = 1}, mt2)
local c = setmetatable({id = 1}, {__eq = function() return true end})
print(a == b, calls)
print(a == c, calls)
print(a == 1, a == "x", calls)
print(a ~= b, calls)
print(a == setmetatable({id = 1}, {}), calls)
