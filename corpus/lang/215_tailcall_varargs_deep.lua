-- tail calls passing varargs through a million levels keep every value
local function pass(n, ...)
  if n == 0 then return select('#', ...), ... end
  return pass(n - 1, ...)
end
print(pass(1000000, "a", nil, "c"))
print(pass(10))
