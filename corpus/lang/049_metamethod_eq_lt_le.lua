-- __eq, __lt and __le metamethods on tables
local mt = {}
mt.__eq = function(a, b) return a.v == b.v end
mt.__lt = function(a, b) return a.v < b.v end
mt.__le = function(a, b) return a.v <= b.v end
local function box(v) return setmetatable({v = v}, mt) end
local a, b, c = box(1), box(2), box(1)
print(a == c, a == b, a ~= c, a ~= b)
print(a < b, b < a, a <= c, b <= a)
print(a > b, b > a, a >= c, b >= a)
print(a == a)
print(a == 1)
local other = setmetatable({v = 1}, {__eq = mt.__eq})
print(a == other)
local nole = {}
nole.__lt = function(x, y) return x.v < y.v end
local p = setmetatable({v = 1}, nole)
local q = setmetatable({v = 2}, nole)
print(p <= q, q <= p)
