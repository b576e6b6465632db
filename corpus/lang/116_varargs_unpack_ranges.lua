-- unpack with explicit ranges reads past nils and the border
local t = {1, nil, 3}
print(unpack(t, 1, 3))
print(select('#', unpack(t, 1, 3)))
print(unpack({}, 1, 2))
print(unpack({"a", "b", "c"}, 2))
print(unpack({"a", "b", "c"}, 2, 3))
print(select('#', unpack({"a"}, 3, 2)))
print(unpack({[0] = "z", "a"}, 0, 1))
print(unpack({"a", "b"}, -1, 1))
print(unpack({"a", "b", "c"}, 3, 3))
