-- ... that is not last in an argument list is cut to one value
local function f(...) return ... end
local function count(...) return select('#', ...) end
print(f(1, 2, 3), "end")
print("start", f(1, 2, 3))
print(count(f(1, 2, 3), f(4, 5)))
print(count(f(), "x"))
print(count("x", f()))
local function g(...) print(..., "last") end
g("a", "b")
g()
