-- select(n, ...) results fed directly into another call, truncating in the middle
local function f(...) return ... end
print(select(2, f(1, 2, 3)), select(3, f(1, 2, 3)))
print(select(2, select(2, 10, 20, 30, 40)))
print(select('#', select(4, 1, 2, 3)))
print(select('#', select(4, 1, 2, 3, nil)))
print(select('2', "a", "b", "c"))
