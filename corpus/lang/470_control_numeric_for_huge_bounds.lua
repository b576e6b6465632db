-- numeric for with huge bounds, inf limit with break, and empty ranges
local n = 0
for i = 2^52 - 2, 2^52 do n = n + 1 end
print(n)
n = 0
for i = 1, 1/0 do n = n + 1; if n == 5 then break end end
print(n)
n = 0
for i = -1/0, 0 do n = n + 1; break end
print(n)
for i = 1, 0 do print("never") end
for i = 0, 1, -1 do print("never") end
for i = -2^31, -2^31 + 2 do n = n + i end
print(n)
