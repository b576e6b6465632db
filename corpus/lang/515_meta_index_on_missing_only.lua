-- __index is consulted only for absent keys, including keys set to false
local hits = 0
local t = setmetatable({a = false, b = 0}, {__index = function(_, k) hits = hits + 1; return "dflt" end})
print(t.a, t.b, t.c, hits)
t.a = nil
print(t.a, hits)
t[1] = nil
print(t[1], hits)
