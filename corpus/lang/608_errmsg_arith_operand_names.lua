-- arithmetic errors name the offending operand's variable kind
local up = {}
local t = {f = "x", n = {}}
print(pcall(function() return up + 1 end))
print(pcall(function() return 1 + t.n end))
print(pcall(function() return t.f * 2 end))
print(pcall(function() return -t.n end))
print(pcall(function() return glob % 2 end))
print(pcall(function() local a = true; return 2 ^ a end))
print(pcall(function() return t[1] - 1 end))
