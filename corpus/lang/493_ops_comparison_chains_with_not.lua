-- comparisons combined with not, and/or and equality between booleans
local a, b, c = 1, 2, 3
print(a < b == true, (a < b) == (b < c), a < b == (b > c))
print(not (a > b) and c >= 3, pcall(function() return not a > b end))
print(a <= a, a >= a, not (a ~= a))
print("10" < "9", "abc" < "abd", "a" < "aa", "B" < "a")
