-- t[#t + 1] = v appends one element at a time
local t = {}
for i = 1, 100 do t[#t + 1] = i * 2 end
print(#t, t[1], t[100])
local s = {}
s[#s + 1] = "a"
s[#s + 1] = "b"
print(#s, s[#s])
