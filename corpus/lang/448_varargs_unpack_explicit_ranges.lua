-- unpack with explicit ranges including empty, reversed and nil-filled slices
local t = {1, 2, nil, 4}
print(unpack(t, 1, 4))
print(unpack(t, 3, 5))
print(select('#', unpack(t, 5, 4)))
print(select('#', unpack(t, 2, 2)))
print(unpack({}, 1, 3))
print(unpack({"a", "b", "c"}, -1, 1))
print(unpack({"a", "b", "c"}, 2))
