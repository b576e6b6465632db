-- string ordering with embedded zeros and bytes above 127
print("a\0b" < "a\0c", "a\0" > "a", "\0" < "\1")
print("\200" > "z", "\255" > "\128", "A" < "a")
print("abc\0" == "abc", #"abc\0", "a\0b" == "a\0b")
print("\0" .. "a" < "\0" .. "b", "a\0\0" > "a\0")
