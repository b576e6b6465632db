-- __add metamethod on tables, with either operand being the table
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
V.__add = function(a, b)
  if type(a) == "number" then return vec(a + b.x, a + b.y) end
  if type(b) == "number" then return vec(a.x + b, a.y + b) end
  return vec(a.x + b.x, a.y + b.y)
end
function V:str() return "(" .. self.x .. "," .. self.y .. ")" end
local a = vec(1, 2)
local b = vec(10, 20)
print((a + b):str())
print((a + 1):str())
print((100 + a):str())
print((a + b + a):str())
print(getmetatable(a + b) == V)
