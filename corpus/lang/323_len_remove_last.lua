-- assigning nil to the last element shrinks the length
local t = {1, 2, 3, 4, 5}
t[#t] = nil
print(#t)
t[#t] = nil
t[#t] = nil
print(#t, t[1], t[2])
t[#t] = nil
t[#t] = nil
print(#t)
t[#t + 1] = "back"
print(#t, t[1])
