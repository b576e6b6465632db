-- break exits only the innermost loop
for i = 1, 3 do
  for j = 1, 10 do
    if j > i then break end
    print(i, j)
  end
end
local found
for i = 1, 100 do
  if i * i > 50 then
    found = i
    break
  end
end
print("found", found)
local n = 0
while true do
  repeat
    n = n + 1
    if n % 2 == 0 then break end
  until false
  if n > 6 then break end
end
print("n", n)
