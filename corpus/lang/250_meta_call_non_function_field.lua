-- a non-function __call makes the value uncallable
local t = setmetatable({}, {__call = 42})
print(pcall(function() return t() end))
local inner = setmetatable({}, {__call = function() return "inner" end})
local outer = setmetatable({}, {__call = inner})
print(pcall(function() return outer() end))
print(inner())
