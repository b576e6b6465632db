-- inf, -inf and nan print as words
print(1/0, -1/0)
print(1e308 * 10, -1e308 * 10)
print(0/0)
local inf = 1/0
print(inf - inf)
print(inf * 0)
print(-(1/0))
print(inf .. "", (-inf) .. "")
print(tostring(0/0))
