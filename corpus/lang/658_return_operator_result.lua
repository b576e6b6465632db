-- a single returned value written straight into the return position: operators, fields, locals, closures over parameters, parenthesised and/or; metamethods, errors and names still right
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
local function f(a) return function() return a end end
print(f(5)())
local function g(a, b) return a.x end
print(g({x = 3}))
local function h(a, b) return b end
print(h(1, 2), h(1))
local function k(a, b) return (b and a) end
print(k(1, 2), k(1, false))
local function m(a) return {a, a} end
print(#m(4), m(4)[2])
local function n(t) return t[t.k] end
print(n({k = "k"}))
local function o(a) return (a) end
print(o(7), select('#', o()))
local mt = {__index = function(t, key) return key .. "!" end}
local function p(a) return a.zz end
print(p(setmetatable({}, mt)))
print(pcall(p, nil))
