-- a table that is its own __index/__newindex metatable reports a loop for missing keys
local t = {}
t.__index = t
setmetatable(t, t)
print(pcall(function() return t.x end))
t.present = 1
print(t.present, t.__index == t)
local u = {}
u.__newindex = u
setmetatable(u, u)
print(pcall(function() u.x = 1 end))
print(rawget(u, "x"))
