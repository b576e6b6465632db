-- passing ... through keeps every value, including nils
local function inner(...) return select('#', ...), ... end
local function outer(...) return inner(...) end
print(outer())
print(outer(nil))
print(outer(1, nil))
print(outer(nil, nil, nil))
print(outer(false, "s", 3))
local function twice(...) return inner(inner(...)) end
print(twice(7, nil))
