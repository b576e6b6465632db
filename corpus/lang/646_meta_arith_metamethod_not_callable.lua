-- an arithmetic metamethod that is not callable raises a call error without a variable name
local q = setmetatable({}, {__add = 5, __concat = "s"})
print(pcall(function() return q + 1 end))
print(pcall(function() return q .. "x" end))
local r = setmetatable({}, {__unm = {}})
print(pcall(function() return -r end))
