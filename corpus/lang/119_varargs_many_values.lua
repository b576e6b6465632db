-- hundreds of values survive unpack, select and varargs
local t = {}
for i = 1, 250 do t[i] = i end
local function count(...) return select('#', ...) end
local function last(...) return (select(select('#', ...), ...)) end
print(count(unpack(t)))
print(last(unpack(t)))
print(select(249, unpack(t)))
local u = {unpack(t)}
print(#u, u[1], u[250])
print(count(unpack(t, 1, 250), unpack(t, 1, 250)))
