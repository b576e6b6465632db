-- ordering comparisons between mixed types raise errors naming both types
print(pcall(function() return 1 < "2" end))
print(pcall(function() return "a" <= 1 end))
print(pcall(function() return {} < {} end))
print(pcall(function() return nil > 0 end))
print(pcall(function() return true >= false end))
print(pcall(function() local f = print; return f < f end))
print(pcall(function() return "a" < "b", "Z" < "a", "" < "a" end))
