-- repeat-until runs at least once and sees body locals in the condition
local i = 0
repeat
  i = i + 1
until i >= 5
print(i)
local runs = 0
repeat
  runs = runs + 1
until true
print(runs)
local n = 1
repeat
  local doubled = n * 2
  n = doubled
until doubled > 100
print(n)
local k = 0
repeat
  k = k + 1
  if k == 3 then break end
until false
print(k)
