-- __len on a table is ignored by LuaJIT 2.1; # gives the raw length
local calls = 0
local t = setmetatable({1, 2, 3}, {__len = function() calls = calls + 1; return 99 end})
print(#t, calls)
local empty = setmetatable({}, {__len = function() return 5 end})
print(#empty)
