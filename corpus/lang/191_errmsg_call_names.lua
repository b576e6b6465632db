-- call errors name locals, globals, upvalues, fields and methods
local up = 1
print(pcall(function() local f; f() end))
print(pcall(function() no_such_function() end))
print(pcall(function() up() end))
print(pcall(function() local t = {}; t.go() end))
print(pcall(function() local t = {}; t:go() end))
print(pcall(function() local t = {inner = {}}; t.inner.run() end))
print(pcall(function() local t = {}; t[1]() end))
