-- error: assigning with a nil key
local t = {}
t[1] = "ok"
print(t[1], t[nil])
local k
t[k] = 1
print("not reached")
