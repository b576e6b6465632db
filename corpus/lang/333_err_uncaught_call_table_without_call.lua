-- calling a table without __call
local t = setmetatable({}, {__index = function() return 1 end})
print(t.anything)
print(t.__call)
local r = t()
print(r)
