-- call errors name fields, methods, globals, locals and upvalues correctly
local t = {sub = {}}
local up
print(pcall(function() t.missing() end))
print(pcall(function() t.sub.deep() end))
print(pcall(function() t:meth() end))
print(pcall(function() t.sub:meth2() end))
print(pcall(function() t["with space"]() end))
print(pcall(function() t[1]() end))
print(pcall(function() nosuchglobal() end))
print(pcall(function() local l; l() end))
print(pcall(function() up() end))
print(pcall(function() (nil)() end))
