-- named parameters are filled first, the rest goes to ...
local function f(a, b, ...)
  return a, b, select('#', ...), ...
end
print(f())
print(f(1))
print(f(1, 2))
print(f(1, 2, 3))
print(f(1, 2, nil, nil))
print(f(nil, nil, "x", "y"))
