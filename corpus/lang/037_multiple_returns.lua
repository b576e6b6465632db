-- multiple return values are adjusted to the number of targets
local function three() return 1, 2, 3 end
local function none() end
local a, b = three()
print(a, b)
local c, d, e, f = three()
print(c, d, e, f)
local g = three()
print(g)
local h, i = none()
print(h, i)
print(three())
print(three(), 10)
print(10, three())
print((three()))
print(three(), three())
local j, k, l = three(), 20
print(j, k, l)
local m, n, o = 5, three()
print(m, n, o)
