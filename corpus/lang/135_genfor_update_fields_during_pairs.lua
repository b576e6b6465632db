-- changing values of existing keys during pairs is allowed and seen later
local t = {a = 1, b = 2, c = 3, 4, 5}
for k, v in pairs(t) do t[k] = v * 10 end
local sum = 0
for _, v in pairs(t) do sum = sum + v end
print(sum)
print(t.a, t.b, t.c, t[1], t[2])
