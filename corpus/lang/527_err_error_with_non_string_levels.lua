-- error with a non-string message ignores the level argument for positions
print(pcall(error, 42, 1))
print(pcall(error, 42, 2))
print(pcall(function() error(3.5) end))
print(pcall(function() error(true, 1) end))
print(pcall(function() error("s", 1) end))
print(pcall(function() error("s", "2") end))
