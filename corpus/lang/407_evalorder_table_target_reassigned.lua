-- the table in an index target is evaluated before the assignment changes the variable
local t1, t2 = {}, {}
local t = t1
t, t.x = t2, "set"
print(t == t2, t1.x, t2.x)
local a = {1, 2, 3}
local i = 1
i, a[i] = i + 1, 20
print(i, a[1], a[2])
local arr = {{}, {}}
local k = 1
arr[k].v, k = "one", 2
print(arr[1].v, arr[2].v, k)
