-- arithmetic errors name the offending operand
local up = {}
print(pcall(function() local x; return x + 1 end))
print(pcall(function() return 1 + missing_global end))
print(pcall(function() return up * 2 end))
print(pcall(function() local t = {}; return t.n - 1 end))
print(pcall(function() local s = "abc"; return s / 2 end))
print(pcall(function() local t = {}; return -t end))
print(pcall(function() local a, b = 1, nil; return a % b end))
print(pcall(function() local b = false; return 2 ^ b end))
