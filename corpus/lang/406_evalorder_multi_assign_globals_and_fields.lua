-- mixed global/local/field targets in one multiple assignment, with rhs reading the targets
G1, G2 = 1, 2
local l = 3
local t = {f = 4}
G1, l, t.f, G2 = l, t.f, G2, G1
print(G1, l, t.f, G2)
local function two() return "p", "q" end
t.f, G1, l = two()
print(t.f, G1, l)
l, t.f, G1 = two(), "z"
print(l, t.f, G1)
