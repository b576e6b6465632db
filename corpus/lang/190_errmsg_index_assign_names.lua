-- assigning into a non-table names the variable being indexed
local up
print(pcall(function() local t; t.x = 1 end))
print(pcall(function() undefined_global.x = 1 end))
print(pcall(function() up.x = 1 end))
print(pcall(function() local a = {}; a.b.c = 1 end))
print(pcall(function() local s = 1; s[1] = 2 end))
