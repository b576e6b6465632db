-- comparison errors name the two types
print(pcall(function() return 1 < nil end))
print(pcall(function() return {} < {} end))
print(pcall(function() return "a" < 1 end))
print(pcall(function() return 1 <= "a" end))
print(pcall(function() local x; return x > 2 end))
print(pcall(function() return true >= false end))
print(pcall(function() return print < print end))
print(pcall(function() return 1 == "1", {} ~= {} end))
