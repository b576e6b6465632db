-- a __newindex table with its own __newindex forwards the assignment
local log = ""
local last = setmetatable({}, {__newindex = function(t, k, v) log = log .. k; rawset(t, k, v) end})
local first = setmetatable({}, {__newindex = last})
first.x = 1
first.y = 2
print(log, rawget(first, "x"), last.x, last.y)
