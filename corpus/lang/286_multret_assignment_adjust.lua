-- multiple assignment adjusts calls the same way
local function two() return "p", "q" end
local a, b, c
a, b = two()
print(a, b)
a, b, c = 1, two()
print(a, b, c)
a, b, c = two(), 2
print(a, b, c)
a, b = (two())
print(a, b)
