-- pcall(error) and pcall(error, v) call error directly with no position
print(pcall(error))
print(pcall(error, nil))
print(pcall(error, "msg"))
print(pcall(error, "msg", 1))
print(pcall(error, "msg", 2))
print(pcall(error, 7))
