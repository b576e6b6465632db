-- goto out of three nested loops and into a label after the loops
local found
for i = 1, 5 do
  for j = 1, 5 do
    local k = 0
    while k < 5 do
      k = k + 1
      if i * j * k == 24 then found = {i, j, k}; goto out end
    end
  end
end
::out::
print(found[1], found[2], found[3])
