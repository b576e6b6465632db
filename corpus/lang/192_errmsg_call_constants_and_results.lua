-- calling constants and call results has no variable name
print(pcall(function() ("x")() end))
print(pcall(function() local f = function() end; f()() end))
print(pcall(function() (1)() end))
print(pcall(function() ({})() end))
print(pcall(function() (nil)() end))
print(pcall(function() local t = {}; (t.x)() end))
