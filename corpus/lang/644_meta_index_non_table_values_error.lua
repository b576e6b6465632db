-- __index or __newindex set to a number or boolean makes lookups fail at the indexing line
local a = setmetatable({}, {__index = 5})
print(pcall(function() return a.x end))
local b = setmetatable({}, {__newindex = true})
print(pcall(function() b.x = 1 end))
print(a[1] == nil or "unreachable")
