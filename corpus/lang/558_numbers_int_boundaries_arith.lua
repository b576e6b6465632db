-- arithmetic around 32-bit boundaries stays exact as doubles
local m = 2147483647
print(m + 1, m * 2, -m - 2, m * m)
print(4294967295 + 1, 4294967296 * 4294967296)
local x = 0x7fffffff
x = x + x
print(x, x % 7, x / 2)
for i = m - 1, m + 2 do last = i end
print(last)
local s = 0
for i = 1, 100000 do s = s + i end
print(s, s * s)
