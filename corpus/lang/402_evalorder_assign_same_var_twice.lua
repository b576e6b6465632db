-- assigning the same variable twice in one statement: values are all evaluated first
local a = 0
a, a = 1, 2
print(a)
local t = {}
t.x, t.x = "first", "second"
print(t.x)
local g
g, g, g = 7, 8
print(g)
local u = {}
local i = 1
u[i], u[1] = "A", "B"
print(u[1])
