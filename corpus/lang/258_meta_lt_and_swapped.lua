-- __lt handles < and > (with swapped operands)
local log = ""
local mt = {__lt = function(a, b) log = log .. a.n .. "<" .. b.n .. " "; return a.n < b.n end}
local one = setmetatable({n = 1}, mt)
local two = setmetatable({n = 2}, mt)
print(one < two, two < one, one > two, two > one)
print(log)
print(pcall(function() return one <= two end))
