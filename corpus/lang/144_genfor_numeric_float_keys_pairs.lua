-- float keys equal to integers land in the same slot as the integer
local t = {}
t[1] = "int"
t[1.0] = "float"
t[2.5] = "frac"
local n = 0
for k, v in pairs(t) do n = n + 1 end
print(n, t[1], t[2.5])
for i, v in ipairs(t) do print(i, v) end
