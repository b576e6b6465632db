-- Closure creation, upvalue updates and method calls on small tables.
local function make_counter()
  local n = 0
  return function(k) n = n + k; return n end
end
local total = 0
for i = 1, 20000 do
  local c = make_counter()
  for j = 1, 20 do total = total + c(j) end
end
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({ x = x, y = y }, Point) end
function Point:len2() return self.x * self.x + self.y * self.y end
local acc = 0
for i = 1, 200000 do acc = acc + Point.new(i, 1):len2() % 3 end
print(total, acc)
