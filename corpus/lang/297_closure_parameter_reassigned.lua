-- a closure captures the parameter variable, not its initial value
local function f(x)
  local g = function() return x end
  x = x * 10
  return g
end
print(f(5)())
local function h(a)
  local set = function(v) a = v end
  local get = function() return a end
  return set, get
end
local set, get = h("first")
set("second")
print(get())
