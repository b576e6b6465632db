-- tonumber rejects bases outside 2..36
print(pcall(tonumber, "1", 1))
print(pcall(tonumber, "1", 37))
print(pcall(tonumber, "1", 0))
print(pcall(function() local r = tonumber("1", 100) return r end))
print(pcall(function() local r = tonumber("1", "x") return r end))
print(tonumber("1", "16"))
