-- string comparison is bytewise
print("a" < "b", "B" < "a", "abc" < "abd", "ab" < "abc")
print("" < " ", " " < "0", "9" < "A", "Z" < "_", "_" < "a")
print("\255" > "a", "\127" < "\128")
print("10" < "2", "100" < "99")
print("a" <= "a", "a" >= "b")
