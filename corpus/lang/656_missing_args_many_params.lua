-- missing arguments are nil for any parameter count (few, eight, more), with varargs too
local function eight(a, b, c, d, e, f, g, h) return a, b, c, d, e, f, g, h end
local function ten(a, b, c, d, e, f, g, h, i, j) return a, b, c, d, e, f, g, h, i, j end
local function tenv(a, b, c, d, e, f, g, h, i, j, ...) return select('#', ...), a, j, ... end
print(eight())
print(eight(1, 2, 3))
print(eight(1, 2, 3, 4, 5, 6, 7, 8, 9))
print(ten())
print(ten(1, nil, 3))
print(ten(1, 2, 3, 4, 5, 6, 7, 8, 9))
print(ten(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))
print(tenv(1))
print(tenv(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
local function one(x) local y; return x, y end
print(one(), one(5), one(nil, 6))
