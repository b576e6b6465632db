-- concatenation errors name the offending operand
local up
local t = {}
print(pcall(function() return "a" .. up end))
print(pcall(function() return t.f .. "b" end))
print(pcall(function() return "x" .. undefinedg end))
print(pcall(function() local l = {}; return l .. "" end))
print(pcall(function() return 1 .. true end))
print(pcall(function() return "a" .. "b" .. t .. "c" end))
