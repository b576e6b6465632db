-- multiple assignment evaluates all right-hand sides before assigning
local a, b, c = 1, 2, 3
print(a, b, c)
a, b = b, a
print(a, b)
local x, y = 1
print(x, y)
local p, q = 1, 2, 3
print(p, q)
local t = {}
local i = 1
i, t[i] = i + 1, "first"
print(i, t[1], t[2])
g1, g2, g3 = "g1", "g2"
print(g1, g2, g3)
a, b, c = c, a, b
print(a, b, c)
local n1, n2, n3
print(n1, n2, n3)
