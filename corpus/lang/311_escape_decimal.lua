-- decimal escapes take up to three digits
print("\65\66\67")
print("\0651")
print("\049\050", #"\0491")
print(#"\0", #"\00", #"\000", #"\0000")
print("\97" == "a", "\255" == "\xff", #"\255")
print("\9" == "\t", "\10" == "\n")
