-- select('#', ...) counts every argument, including embedded and trailing nils
local function count(...) return select('#', ...) end
print(count())
print(count(nil))
print(count(nil, nil))
print(count(1, nil, 3))
print(count(1, 2, nil))
print(count(count()))
print(count((count(1, 2))))
print(count(false, false, false, false))
