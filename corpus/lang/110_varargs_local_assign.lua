-- local a, b, c = ... pads with nil and drops extras
local function f(...)
  local a, b, c = ...
  print(a, b, c)
end
f()
f(1)
f(1, 2, 3, 4)
local function g(...)
  local a, b = ..., "x"
  print(a, b)
end
g(1, 2)
g()
