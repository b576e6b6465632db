-- constructors with constant string keys: layout computed at compile time, duplicates, nil values, later inserts
local function f() return 7, 8, 9 end
local a = {x = 1, y = 2, z = 3, w = 4, v = 5, u = 6}
print(a.x, a.y, a.z, a.w, a.v, a.u)
local b = {1, 2, x = f(), "three", y = nil, z = {}, f()}
print(#b, b[1], b[2], b[3], b[4], b[5], b[6], b.x, b.y, type(b.z))
local c = {x = f(), x = 1}
print(c.x)
local d = {x = 1, x = f()}
print(d.x)
local n = 0
for k, v in pairs({aa = 1, bb = 2, cc = 3, dd = 4, ee = 5, ff = 6, gg = 7, hh = 8, ii = nil}) do n = n + v end
print(n)
local e = {k1=1,k2=2,k3=3,k4=4,k5=5,k6=6,k7=7,k8=8,k9=9,k10=10,k11=11,k12=12,k13=13,k14=14,k15=15,k16=16,k17=17}
e.new1 = 1; e.new2 = 2; e.k3 = nil; e.new3 = 3
local s = 0
for k, v in pairs(e) do s = s + v end
print(s, e.k17, e.new3, rawget(e, "k9"))
