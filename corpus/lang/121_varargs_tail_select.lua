-- return select(2, ...) as a tail call drops the first value
local function rest(...) return select(2, ...) end
local function drop(n, ...)
  if n == 0 then return ... end
  return drop(n - 1, rest(...))
end
print(drop(0, 1, 2, 3))
print(drop(1, 1, 2, 3))
print(drop(2, 1, 2, 3))
print(select('#', drop(3, 1, 2, 3)))
print(select('#', drop(2, 1, nil, nil)))
