-- the for variable is a fresh local; modifying it does not affect iteration
i = "global i"
for i = 1, 3 do
  print(i)
end
print(i)
for j = 1, 3 do
  local k = j
  j = j * 10
  print(k, j)
end
local count = 0
for a = 1, 3 do
  for b = a, 3 do
    count = count + 1
  end
end
print(count)
