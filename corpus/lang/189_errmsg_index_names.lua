-- index errors name locals, globals, upvalues and fields
local up = nil
print(pcall(function() local t; return t.x end))
print(pcall(function() return undefined_global.x end))
print(pcall(function() return up.x end))
print(pcall(function() local a = {}; return a.b.c end))
print(pcall(function() local a = {b = {}}; return a.b.c.d end))
print(pcall(function() local a = {}; return a[1].x end))
print(pcall(function() local n = 5; return n.x end))
print(pcall(function() local b = true; return b[1] end))
