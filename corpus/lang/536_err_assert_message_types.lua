-- assert failures with message values of various types
local ok, e = pcall(assert, nil)
print(ok, e)
print(pcall(assert, false, "m"))
print(select(2, pcall(assert, 1 == 2, 99)) + 1)
local obj = {}
print(select(2, pcall(assert, false, obj)) == obj)
print(pcall(assert))
