-- __index is consulted only for absent keys, including keys set to false
local calls = 0
local t = setmetatable({a = 1, f = false}, {__index = function(t, k) calls = calls + 1; return "mm" end})
print(t.a, t.f, t.missing)
print(calls)
t.a = nil
print(t.a, calls)
