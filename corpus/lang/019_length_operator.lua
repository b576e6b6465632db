-- # on strings and on sequences without holes
print(#"")
print(#"hello")
print(#"a\nb")
local t = {}
print(#t)
t[1] = "a"
print(#t)
t[2] = "b"
t[3] = "c"
print(#t)
print(#{1, 2, 3, 4, 5})
print(#{"x", "y"})
local s = "abc"
print(#s + 1)
print(#(s .. s))
local n = {10, 20, 30}
n[#n + 1] = 40
print(#n, n[4])
