-- error level arguments: beyond the stack, negative, fractional, nil, huge
print(pcall(error, "x", 50))
print(pcall(function() error("y", 50) end))
print(pcall(function() error("z", -1) end))
print(pcall(function() error("w", 1.7) end))
print(pcall(function() error("u", nil) end))
print(pcall(function() error("t", 2^40) end))
