-- main chunk varargs are empty and can be forwarded repeatedly in a loop
local function count(...) return select('#', ...) end
local total = 0
for i = 1, 5 do total = total + count(...) + count(i, ...) end
print(total)
local packed = {n = select('#', ...), ...}
print(packed.n, packed[1])
