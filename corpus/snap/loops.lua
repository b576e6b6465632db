local sum = 0
for i = 1, 10, 2 do
  if i == 7 then break end
  sum = sum + i
end
while sum > 0 do sum = sum - 4 end
repeat local k = sum sum = sum + 1 until k >= 2
print(sum)
