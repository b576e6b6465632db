-- table constructor entries are evaluated in source order including keyed ones
local n = 0
local function nx() n = n + 1; return n end
local t = {nx(), k = nx(), nx(), [nx()] = nx(), nx()}
print(t[1], t.k, t[2], t[3], t[4], t[5], n)
local order = {}
local function r(v) order[#order + 1] = v; return v end
local u = {[r("k1")] = r("v1"), r("p1"), [r("k2")] = r("v2"), r("p2")}
for idx = 1, #order do print(idx, order[idx]) end
print(u.k1, u.k2, u[1], u[2])
