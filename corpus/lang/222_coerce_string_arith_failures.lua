-- strings that are not numbers fail arithmetic with a string value error
print(pcall(function() return "abc" + 1 end))
print(pcall(function() return "1 2" + 1 end))
print(pcall(function() return "" + 1 end))
print(pcall(function() return "0x" + 1 end))
print(pcall(function() return "1e" * 1 end))
print(pcall(function() local s = "12px"; return s + 0 end))
