-- error names through and/or: the right operand's name, unless the left
-- operand is a comparison or `not` (LuaJIT then leaves the result in a fresh register)
local a = 3
local t = {}
local x, y = true, false
print(pcall(function() return #((0 == 0) and a) end))
print(pcall(function() return #(x and a) end))
print(pcall(function() local l = 5 return #(x and l) end))
print(pcall(function() local l = 5 return #(y or l) end))
print(pcall(function() local l = 5 return #((0 == 0) and l) end))
print(pcall(function() return #((0 == 0) and t.k) end))
print(pcall(function() return #(x and t.k) end))
print(pcall(function() return #(x and gg) end))
print(pcall(function() return #((0 == 0) and gg) end))
print(pcall(function() local l = 5 return #((not x) or l) end))
print(pcall(function() return #((a > 1) and t.k) end))
print(pcall(function() local l = 5 return #((x and y) or l) end))
print(pcall(function() local l = 5 return #((x or y) and l) end))
print(pcall(function() local l = 5 return #(x and y or l) end))
print(pcall(function() local l = 5 return #(y or x and l) end))
print(pcall(function() return (x and gg)() end))
print(pcall(function() return ((1 < 2) and gg)() end))
print(pcall(function() return ((1 < 2) and t).k.z end))
