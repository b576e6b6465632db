-- field reads and writes on tables without a hash part (probed at the null node), with and without metatables
local e = {}
print(e.x, e.y)
e.x = 1
print(e.x)
local a = {1, 2, 3}
print(a.n, a.x)
a.n = "n"
print(a.n)
local m = setmetatable({}, {__index = function(_, k) return k .. "!" end, __newindex = function(t, k, v) rawset(t, k, v * 2) end})
print(m.foo)
m.bar = 21
print(m.bar, rawget(m, "foo"))
