-- length errors name the operand
local up = 5
print(pcall(function() local n = 1; return #n end))
print(pcall(function() return #missing_global end))
print(pcall(function() return #up end))
print(pcall(function() local t = {}; return #t.list end))
print(pcall(function() return #true end))
print(pcall(function() local b = false; return #b end))
