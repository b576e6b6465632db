-- select and unpack truncate fractional index arguments
print(select(2.7, "a", "b", "c"))
print(select(-1.5, "a", "b", "c"))
print(unpack({1, 2, 3, 4}, 1.5, 3.7))
print(select('#', unpack({}, 2.2, 2.9)))
local t = {}
t[1.5] = "frac"
print(t[1.5], t[1], t[3 / 2])
