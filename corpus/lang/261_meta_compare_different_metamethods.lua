-- comparing tables with different __lt functions: which one runs?
local a = setmetatable({}, {__lt = function() return "a" end})
local b = setmetatable({}, {__lt = function() return false end})
print(pcall(function() return a < b end))
print(pcall(function() return b < a end))
local c = setmetatable({}, {})
print(pcall(function() return a < c end))
print(pcall(function() return c < a end))
