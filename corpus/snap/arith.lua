local a, b = 3, 4
local c = a * b + 2 ^ 3 - a % b
print(c, a < b, a .. b)
