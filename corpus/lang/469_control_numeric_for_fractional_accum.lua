-- a 0.1 step loop accumulates rounding error; count iterations and print last value
local n, last = 0, nil
for x = 0, 1, 0.1 do n = n + 1; last = x end
print(n, last, last == 1)
n = 0
for x = 1, 0, -0.25 do n = n + 1; last = x end
print(n, last)
n = 0
for x = 0.1, 0.35, 0.05 do n = n + 1 end
print(n)
