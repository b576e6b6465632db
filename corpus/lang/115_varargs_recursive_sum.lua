-- recursion over varargs with select('#') handles nil holes
local function sum(...)
  local n = select('#', ...)
  if n == 0 then return 0 end
  local first = ...
  return (first or 100) + sum(select(2, ...))
end
print(sum())
print(sum(1))
print(sum(1, 2, 3))
print(sum(nil, 1))
print(sum(1, nil, nil))
