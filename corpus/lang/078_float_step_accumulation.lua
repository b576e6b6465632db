-- float-step for loops follow IEEE accumulation exactly
local n = 0
local last
for x = 0, 1, 0.1 do
  n = n + 1
  last = x
end
print(n, last, last < 1, last == 1)
for x = 1, 0, -0.25 do
  print(x)
end
local sum = 0
for i = 1, 10 do sum = sum + 0.1 end
print(sum, sum == 1, 1 - sum)
for x = 0.5, 2 do
  print("half", x)
end
