-- metamethods may be tables with __call, except __call itself is not chained
local callable = setmetatable({}, {__call = function(self, a, b) return "called" end})
local o = setmetatable({}, {__add = callable, __concat = callable, __unm = callable, __lt = callable, __call = callable})
print(pcall(function() return o + 1 end))
print(pcall(function() return o .. "x" end))
print(pcall(function() return -o end))
print(pcall(function() return o < o end))
print(pcall(function() return o() end))
local p = setmetatable({}, {__index = callable, __newindex = callable})
p.y = 2
print(p.zzz, rawget(callable, "y"))
