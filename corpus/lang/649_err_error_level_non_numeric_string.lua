-- a non-numeric string as the error level is itself a bad argument
print(pcall(function() error("v", "abc") end))
print(pcall(function() error("n", "2") end))
print(pcall(function() error("m", {}) end))
print(pcall(function() error("k", true) end))
