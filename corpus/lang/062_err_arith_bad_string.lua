-- error: arithmetic on a non-numeric string
local s = "abc"
print(s .. "1")
local v = s + 1
print("not reached", v)
