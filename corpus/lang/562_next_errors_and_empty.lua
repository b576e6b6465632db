-- next on empty tables, after the last key, and with a bad key
print(next({}))
local t = {10}
print(next(t))
print(next(t, 1))
print(pcall(next, t, "nokey"))
print(pcall(next, nil))
print(rawequal(next, select(1, pairs({}))))
