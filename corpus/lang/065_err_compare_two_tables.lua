-- error: ordering comparison of two tables without metamethods
local a, b = {}, {}
print(a == b)
print(a < b)
print("not reached")
