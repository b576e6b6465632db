-- goto leaves two nested loops at once
local found_i, found_j
for i = 1, 5 do
  for j = 1, 5 do
    if i * j == 12 then
      found_i, found_j = i, j
      goto done
    end
  end
end
::done::
print(found_i, found_j)
