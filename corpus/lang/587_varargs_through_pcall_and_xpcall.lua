-- varargs forwarded through pcall keep nils and count
local function count(...) return select('#', ...), ... end
print(pcall(count, nil, nil))
print(pcall(count))
print(xpcall(count, print))
local t = {}
for i = 1, 120 do t[i] = i end
print(select('#', pcall(count, unpack(t))))
