-- \xXX hex escapes
print("\x41\x42\x43")
print("\x61" == "a", "\x7A" == "z", "\x7a" == "z")
print(#"\x00\x01", #"\xff")
print("\x31\x32" + 0)
print("A\x20B")
