-- -0 and 0 are the same table key and the same number
local t = {}
t[0] = "zero"
print(t[-0])
local nz = -0
t[nz] = "neg"
print(t[0])
print(0 == -0, nz, -nz)
local n = 0
for k in pairs(t) do n = n + 1 end
print(n)
print(1/nz < 0, 1/0 > 0)
