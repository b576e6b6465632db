-- # of {...} for varargs without trailing nils
local function n(...) return #{...} end
print(n(), n(1), n(1, 2, 3))
print(n("a", "b", nil))
local big = {}
for i = 1, 300 do big[i] = true end
print(n(unpack(big)))
