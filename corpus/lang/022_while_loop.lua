-- while loops including zero iterations and break
local i = 1
local sum = 0
while i <= 10 do
  sum = sum + i
  i = i + 1
end
print(sum, i)
while false do
  print("never")
end
local n = 0
while true do
  n = n + 1
  if n >= 7 then break end
end
print(n)
local a, b = 0, 1
while b < 100 do
  a, b = b, a + b
end
print(a, b)
