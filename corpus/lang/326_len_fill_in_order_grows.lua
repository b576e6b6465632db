-- filling indices 1..n in order, then clearing from the end
local t = {}
for i = 1, 10 do t[i] = i end
print(#t)
for i = 10, 6, -1 do t[i] = nil end
print(#t)
for i = 6, 20 do t[i] = i end
print(#t)
