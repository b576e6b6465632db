-- assigning a field of a non-table value names the value being indexed
local up = print
print(pcall(function() local s = "abc"; s.x = 1 end))
print(pcall(function() local n = 1; n[1] = 1 end))
print(pcall(function() local b = false; b.x = 1 end))
print(pcall(function() up.field = 1 end))
print(pcall(function() local t = {}; t.a.b = 1 end))
