-- reads through __index on the right-hand side happen left to right
local log = ""
local src = setmetatable({}, {__index = function(t, k) log = log .. k; return k end})
local a, b, c = src.a, src.b, src.c
print(a, b, c, log)
log = ""
local t = {src.x, src.y, k = src.z}
print(t[1], t[2], t.k, log)
log = ""
print(src.p .. src.q, log)
