-- a positional entry reading a counter incremented by an earlier keyed entry
local n = 0
local function nxt() n = n + 1; return n end
local t = {a = nxt(), nxt(), b = nxt(), nxt()}
print(t.a, t[1], t.b, t[2])
