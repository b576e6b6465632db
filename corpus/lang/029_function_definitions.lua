-- global, local and anonymous function definitions
function add(a, b)
  return a + b
end
local function sub(a, b)
  return a - b
end
local mul = function(a, b) return a * b end
print(add(2, 3), sub(10, 4), mul(6, 7))
print(type(add), type(sub), type(mul))
local function noreturn() end
print(noreturn())
print((noreturn()))
local function extra(a, b) return a, b end
print(extra(1))
print(extra(1, 2, 3))
local t = {}
t.f = function(x) return x * 2 end
print(t.f(21))
print((function(x) return x + 1 end)(41))
