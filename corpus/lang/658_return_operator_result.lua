-- a single operator result returned straight from its destination: metamethods, errors and names still right
local function f(a, b) return a + b end
local function g(a, b) return a .. b end
local function h(a, b) return a < b end
local function k(a) return not a end
local function l(a) return #a end
local function m(a, b) return b - a end
local mt = {__add = function(x, y) return "added" end, __concat = function(x, y) return y end, __lt = function(x, y) return true end, __len = function() return 42 end}
local t = setmetatable({}, mt)
print(f(1, 2), g("a", 1), h(1, 2), k(nil), l({1, 2}), m(10, 3))
print(f(t, 1), g(t, "z"), h(t, t), l(t), f(1, t))
print(pcall(f, {}, 1))
print(pcall(m, "x", 1))
print(select('#', f(1, 2)))
