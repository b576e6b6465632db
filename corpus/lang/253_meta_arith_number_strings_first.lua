-- numeric strings are added directly; metamethods only when coercion fails
local obj = setmetatable({}, {__add = function(a, b) return "mm" end, __concat = function() return "cc" end})
print("1" + "2")
print(pcall(function() return "x" + 1 end))
print(obj + "x", "x" + obj)
print(obj .. 1, 1 .. obj)
