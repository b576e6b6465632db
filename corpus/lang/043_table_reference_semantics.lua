-- tables are shared by reference and compared by identity
local a = {1, 2, 3}
local b = a
b[1] = 100
print(a[1])
local function mutate(t) t.changed = true end
mutate(a)
print(a.changed, b.changed)
local c = {1, 2, 3}
print(a == b, a == c)
local function replace(t) t = {} ; t[1] = "new" ; return t end
local d = replace(a)
print(a[1], d[1])
local list = {}
for i = 1, 5 do list[#list + 1] = i * i end
print(list[1], list[5], #list)
