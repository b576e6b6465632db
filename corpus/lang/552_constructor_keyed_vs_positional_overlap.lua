-- positional entries win over explicit numeric keys for the same index
local t1 = {[1] = "keyed", "pos"}
local t2 = {"pos", [1] = "keyed"}
local t3 = {[2] = "k2", "a", "b", [3] = "k3"}
print(t1[1], t2[1], t3[2], t3[3], #t3)
local function two() return "x", "y" end
local t4 = {[2] = "k", two()}
print(t4[1], t4[2])
