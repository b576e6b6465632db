-- setmetatable returns its table; __metatable protects and replaces getmetatable
local t = {}
local r = setmetatable(t, {__metatable = "locked"})
print(r == t, getmetatable(t))
print(pcall(setmetatable, t, {}))
local u = setmetatable({}, {__metatable = false})
print(getmetatable(u))
print(pcall(setmetatable, u, nil))
local v = setmetatable({}, nil)
print(getmetatable(v))
