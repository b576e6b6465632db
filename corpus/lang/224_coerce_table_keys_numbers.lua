-- float keys with integer values are the same key; string keys are not
local t = {}
t[1] = "one"
print(t[1.0])
t[2.0] = "two"
print(t[2], #t)
t["1"] = "string one"
print(t[1], t["1"])
print(t[tonumber("1")], t[1 .. ""])
t[0.5] = "half"
print(t[0.5], t[1/2])
