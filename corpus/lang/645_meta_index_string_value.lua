-- __index set to a string value looks keys up through the string's own __index
local c = setmetatable({}, {__index = "abc"})
print(c.nosuch)
print(pcall(function() return c[1] end))
local d = setmetatable({}, {__index = ""})
print(d.anything)
