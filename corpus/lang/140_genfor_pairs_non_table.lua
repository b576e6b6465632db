-- pairs and ipairs reject non-tables with named bad argument errors
print(pcall(function() for k in pairs(nil) do end end))
print(pcall(function() for k in ipairs("s") do end end))
print(pcall(function() for k in pairs() do end end))
print(pcall(function() local n = 3 for k in ipairs(n) do end end))
