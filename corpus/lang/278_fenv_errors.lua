-- setfenv/getfenv argument errors and C functions
print(getfenv(tostring) == _G)
print(pcall(setfenv, tostring, {}))
print(pcall(function() setfenv(tostring, _G) end))
print(getfenv(tostring) == _G)
print(pcall(function() local f = function() end; setfenv(f, 5) end))
print(pcall(function() setfenv(100, {}) end))
print(pcall(function() return getfenv(100) end))
print(pcall(function() local e = getfenv(100) return e end))
