-- {...} captures the varargs; select('#') keeps the true count
local function pack(...) return {...}, select('#', ...) end
local t, n = pack(1, 2, 3)
print(#t, n, t[1], t[2], t[3])
t, n = pack()
print(#t, n, t[1])
t, n = pack(nil, nil, 5)
print(n, t[1], t[2], t[3])
t, n = pack("x", nil)
print(n, t[1], t[2])
