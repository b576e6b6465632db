-- local declarations from varargs pad with nil and truncate extras
local function f(...)
  local a, b, c = ...
  local d = ...
  local e, g = ..., "fixed"
  return a, b, c, d, e, g
end
print(f())
print(f(1))
print(f(1, 2, 3, 4))
