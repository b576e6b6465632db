-- a builtin called in tail position loses its name and position in argument errors
print(pcall(function() return ipairs(nil) end))
print(pcall(function() return (ipairs(nil)) end))
print(pcall(function() local r = ipairs(nil) return r end))
print(pcall(function() return setmetatable(1, nil) end))
print(pcall(function() setmetatable(1, nil) end))
