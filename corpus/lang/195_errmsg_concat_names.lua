-- concatenation errors name the operand that is not a string or number
local up = {}
print(pcall(function() local t = {}; return "a" .. t end))
print(pcall(function() return missing_global .. "a" end))
print(pcall(function() return up .. "x" end))
print(pcall(function() local t = {}; return "a" .. t.field end))
print(pcall(function() local b = true; return b .. "x" end))
print(pcall(function() local x; return "a" .. "b" .. x end))
print(pcall(function() return "a" .. {} end))
