-- pcall of a non-function reports the call error without a position
print(pcall(nil))
print(pcall(42))
print(pcall({}))
print(pcall("print"))
print(pcall(true))
print(pcall(pcall))
