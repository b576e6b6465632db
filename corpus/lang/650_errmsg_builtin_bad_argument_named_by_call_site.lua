-- bad-argument errors from builtins called by name include the function name and position
print(pcall(function() setmetatable(1, {}) end))
print(pcall(function() return select("x", 1) end))
print(pcall(function() return unpack(nil) end))
print(pcall(function() return ipairs(5) end))
print(pcall(function() return rawget(1, 2) end))
print(pcall(function() return tonumber("10", 99) end))
print(pcall(function() local f = select; return f(0, 1) end))
print(pcall(function() local t = {s = select}; return t.s(0, 1) end))
