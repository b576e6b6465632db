-- swapping upvalues through multiple assignment inside closures
local a, b = "A", "B"
local function swap() a, b = b, a end
local function get() return a, b end
swap()
print(get())
swap(); swap()
print(get())
local function rot3()
  local x, y, z = 1, 2, 3
  return function() x, y, z = y, z, x; return x, y, z end
end
local r = rot3()
r()
print(r())
