-- return ... keeps nils; return ..., x cuts ... to one value
local function all(...) return ... end
local function first_then(...) return ..., "tail" end
local function count(...) return select('#', ...) end
print(count(all(nil, nil)))
print(all(1, nil, 3))
print(first_then(1, 2, 3))
print(first_then())
print(count(first_then(1, 2, 3)))
