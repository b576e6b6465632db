-- one class implementing all arithmetic metamethods, mixed with numbers on either side
local V = {}
V.__index = V
local function v(x) return setmetatable({x = x}, V) end
local function val(a) return type(a) == "table" and a.x or a end
V.__add = function(a, b) return v(val(a) + val(b)) end
V.__sub = function(a, b) return v(val(a) - val(b)) end
V.__mul = function(a, b) return v(val(a) * val(b)) end
V.__div = function(a, b) return v(val(a) / val(b)) end
V.__mod = function(a, b) return v(val(a) % val(b)) end
V.__pow = function(a, b) return v(val(a) ^ val(b)) end
V.__unm = function(a) return v(-a.x) end
local a = v(7)
print((a + 1).x, (1 + a).x, (a - 2).x, (2 - a).x, (a * a).x)
print((a / 2).x, (2 / a).x, (a % 3).x, (3 % a).x, (a ^ 2).x, (2 ^ a).x, (-a).x)
print(((a + 1) * (a - 1) - -a).x)
