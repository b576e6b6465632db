-- # of tables built by constructors without holes
print(#{})
print(#{1})
print(#{1, 2, 3})
print(#{"a", "b", x = 1, y = 2})
print(#{n = 1})
print(#{[1] = "a", [2] = "b", [3] = "c"})
print(#{false, false})
