-- while with a condition mixing and/or, comparisons and calls with side effects
local calls = 0
local function lim(n) calls = calls + 1; return n end
local i, j = 0, 10
while (i < lim(5) and j > 3) or (i == 7 and not (j == 0)) do
  i = i + 1
  j = j - 1
  if i == 5 then i = 6 end
  if i == 6 then i = 7 end
end
print(i, j, calls)
