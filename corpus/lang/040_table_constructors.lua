-- table constructors with array items, [k]=v, name=v and trailing calls
local t = {10, 20, 30}
print(t[1], t[2], t[3], t[4], #t)
local r = {x = 1, y = 2, ["z"] = 3, [1 + 1] = "two"}
print(r.x, r.y, r.z, r[2])
local m = {"a", "b", n = "named", "c"}
print(m[1], m[2], m[3], m.n, #m)
local function three() return 7, 8, 9 end
local e = {three()}
print(#e, e[1], e[3])
local f = {three(), three()}
print(#f, f[1], f[2], f[4])
local g = {three(), 0}
print(#g, g[1], g[2])
local h = {1, 2, 3,}
print(#h)
local s = {x = 1; y = 2; 3}
print(s.x, s.y, s[1])
local mixed = {[1] = "explicit", "positional"}
print(mixed[1])
local empty = {}
print(#empty, empty[1])
