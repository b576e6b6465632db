-- the order in which multiple assignment stores into targets, observed through __newindex
local log = {}
local p = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k .. "=" .. v; rawset(t, k, v) end})
p.x, p.y, p.z = 1, 2, 3
print(log[1], log[2], log[3])
local q = setmetatable({}, getmetatable(p))
q[1], p.w = "a", "b"
print(log[4], log[5])
