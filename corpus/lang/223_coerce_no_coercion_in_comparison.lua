-- == never coerces and < does not mix strings with numbers
print("10" == 10, 10 == "10", "1" ~= 1)
print("10" < "9", 10 < 9)
print(pcall(function() return "10" < 9 end))
print(pcall(function() return 1 <= "2" end))
print("abc" < "abd", "Z" < "a", "" < "a", "a" < "aa")
