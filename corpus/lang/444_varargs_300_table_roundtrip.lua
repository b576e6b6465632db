-- 300 values packed into a table via {...} and read back with nil at the end
local function pack(...) return {n = select('#', ...), ...} end
local src = {}
for i = 1, 300 do src[i] = i * 2 end
local p = pack(unpack(src, 1, 300))
print(p.n, p[1], p[150], p[300])
local q = pack(unpack(src, 1, 301))
print(q.n, q[301])
local s = 0
for i = 1, p.n do s = s + p[i] end
print(s)
