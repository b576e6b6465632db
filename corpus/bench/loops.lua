-- Numeric loops, table array stores and loads, string building.
local t = {}
for i = 1, 200000 do t[i] = i * 2 end
local sum = 0
for r = 1, 20 do
  for i = 1, #t do sum = sum + t[i] % 7 end
end
local s = ""
for i = 1, 2000 do s = s .. (i % 10) end
print(sum, #s)
