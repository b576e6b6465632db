-- a keyed field after a call stops the call from expanding
local function two() return "x", "y" end
local a = {two(), k = 1}
local b = {k = 1, two()}
local c = {two(), two()}
print(a[1], a[2], a.k)
print(b[1], b[2], b.k)
print(#c, c[1], c[2], c[3])
