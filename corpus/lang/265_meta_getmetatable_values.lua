-- getmetatable on plain values, tables and after removal
print(getmetatable({}))
print(getmetatable(1), getmetatable(nil), getmetatable(print))
local mt = {}
local t = setmetatable({}, mt)
print(getmetatable(t) == mt)
print(setmetatable(t, nil) == t, getmetatable(t))
print(pcall(getmetatable))
