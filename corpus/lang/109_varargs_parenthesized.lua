-- (...) adjusts the varargs to exactly one value
local function f(...) return (...) end
print(select('#', f()))
print(select('#', f(1, 2, 3)))
print(f(7, 8))
local function g(...) local t = {(...)} return #t, t[1] end
print(g(4, 5, 6))
print(g())
local function h(...) return select('#', (...)) end
print(h(), h(1, 2))
