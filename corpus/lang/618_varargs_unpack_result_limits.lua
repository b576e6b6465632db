-- unpack of several thousand values works; far more raises "too many results"
local t = {}
for i = 1, 7000 do t[i] = i end
print(select('#', unpack(t)))
local function cnt(...) return select('#', ...) end
print(cnt(unpack(t, 1, 5000)))
for i = 1, 20000 do t[i] = i end
print(pcall(function() return select('#', unpack(t)) end))
print(pcall(unpack, t, 1, 1e8))
