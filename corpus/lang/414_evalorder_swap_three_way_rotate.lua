-- three-way rotation through fields and locals
local p = {x = 1, y = 2, z = 3}
for _ = 1, 4 do
  p.x, p.y, p.z = p.y, p.z, p.x
  print(p.x, p.y, p.z)
end
local a, b, c = "a", "b", "c"
a, b, c = c, a, b
print(a, b, c)
local t = {1, 2, 3}
t[1], t[2], t[3] = t[3], t[1]
print(t[1], t[2], t[3])
