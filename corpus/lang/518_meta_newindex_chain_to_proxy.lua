-- __newindex table that itself has a __newindex function
local seen = {}
local inner = setmetatable({}, {__newindex = function(t, k, v) seen[#seen + 1] = k; rawset(t, k, v .. "!") end})
local outer = setmetatable({}, {__newindex = inner, __index = inner})
outer.a = "x"
outer.b = "y"
print(outer.a, outer.b, rawget(outer, "a"), #seen, seen[1], seen[2])
outer.a = "z"
print(outer.a, #seen)
