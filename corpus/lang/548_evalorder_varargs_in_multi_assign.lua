-- multiple assignment from varargs in last and non-last position
local function f(...)
  local a, b, c, d
  a, b, c, d = ...
  print(a, b, c, d)
  a, b, c, d = ..., "x"
  print(a, b, c, d)
  a, b, c, d = "y", ...
  print(a, b, c, d)
end
f(1, 2, 3, 4, 5)
f()
