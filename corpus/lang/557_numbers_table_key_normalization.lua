-- numeric keys: 1 and 1.0 are the same key, "1" is different, 2^53 keys work
local t = {}
t[1] = "int"
t[1.0] = "float"
t["1"] = "string"
print(t[1], t["1"], t[2/2])
t[2^53] = "big"
print(t[2^53], t[2^53 + 1])
t[-0] = "zero"
print(t[0])
t[0.5] = "half"
print(t[1/2], t[0.5 + 0])
local n = 0
for k, v in pairs(t) do n = n + 1 end
print(n)
