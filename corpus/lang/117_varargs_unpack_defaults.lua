-- unpack without a range goes from 1 to #t
print(unpack({}))
print(select('#', unpack({})))
print(unpack({1, 2, 3}))
print(unpack({"only"}))
print(unpack({1, 2, nil}))
print(unpack({n = 3, 10, 20}))
local t = {}
for i = 1, 5 do t[#t + 1] = i * i end
print(unpack(t))
print(unpack(t, 4))
