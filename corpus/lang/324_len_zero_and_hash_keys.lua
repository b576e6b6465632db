-- index 0, negative and string keys do not count toward #
local t = {[0] = "z", [-1] = "m"}
print(#t)
t.name = "x"
t[1] = "one"
print(#t)
t["2"] = "two"
print(#t)
t[2] = 2
print(#t)
