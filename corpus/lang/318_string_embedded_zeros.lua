-- strings may hold zero bytes; length and comparison count them
local s = "a\0b"
print(#s)
print(s == "a\0b", s == "a\0c", s == "a")
print("a\0b" < "a\0c", "a\0" > "a", "a" < "a\0")
local t = s .. "\0" .. s
print(#t)
print(#(s .. s .. s))
