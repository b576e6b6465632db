-- parameters and locals shadowing upvalues of the same name
local x = "outer"
local function f(x)
  local g = function() return x end
  x = x .. "+"
  return g
end
print(f("p")(), x)
local function h()
  local x = x .. "-shadow"
  return function(x) return x end, function() return x end
end
local a, b = h()
print(a("arg"), b(), x)
