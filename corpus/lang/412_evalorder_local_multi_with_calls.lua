-- local declarations see the old binding of shadowed names on the right-hand side
local x = 1
local x, y = x + 1, x + 2
print(x, y)
local function f() return x * 10, x * 20 end
local x, z, w = f()
print(x, z, w)
local y = y and y + 100
print(y)
do
  local x = x .. "!"
  print(x)
end
print(x)
