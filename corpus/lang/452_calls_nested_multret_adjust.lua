-- f(g(h(x))) with multiple returns adjusted at each level
local function h(x) return x, x + 1, x + 2 end
local function g(...) return select('#', ...), ... end
local function f(...) return ..., "tail" end
print(f(g(h(1))))
print(f(g(h(1)), 0))
print(g(f(h(1))))
print(g(h(1), h(10)))
print((g(h(1))))
print(f((h(1))))
