-- comparing a table with a number errors even if the table has __lt
local mt = {__lt = function() return true end, __le = function() return true end}
local a = setmetatable({}, mt)
print(pcall(function() return a < 1 end))
print(pcall(function() return 1 < a end))
print(pcall(function() return a <= "x" end))
print(pcall(function() return a < a end))
