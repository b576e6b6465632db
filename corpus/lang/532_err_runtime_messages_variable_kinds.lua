-- runtime error messages name locals, upvalues, globals, fields and methods
local loc
local up
local t = {}
print(pcall(function() return loc.x end))
print(pcall(function() up() end))
print(pcall(function() return undefined_global.y end))
print(pcall(function() return t.field.z end))
print(pcall(function() t:method() end))
print(pcall(function() return t[1][2] end))
print(pcall(function() local a = 1; return a.b end))
print(pcall(function() local s = "x"; return s + 1 end))
