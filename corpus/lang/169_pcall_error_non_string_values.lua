-- error with numbers gets a position; nil, booleans and tables do not
print(pcall(function() error(42) end))
print(pcall(function() error(4.5, 0) end))
print(pcall(function() error(nil) end))
print(pcall(function() error() end))
print(pcall(function() error(true) end))
print(pcall(function() error(false) end))
local ok, e = pcall(function() error(42) end)
print(type(e))
