-- __index chains from table to table to function
local base = setmetatable({}, {__index = function(t, k) return "fn:" .. k end})
local mid = setmetatable({m = "mid"}, {__index = base})
local obj = setmetatable({o = "own"}, {__index = mid})
print(obj.o)
print(obj.m)
print(obj.zzz)
print(rawget(obj, "m"), rawget(mid, "zzz"))
mid.zzz = "now mid"
print(obj.zzz)
