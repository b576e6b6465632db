-- a small algorithm: bubble sort of an array built in a loop
local arr = {5, 3, 9, 1, 7, 2, 8, 6, 4, 0}
local n = #arr
for i = 1, n - 1 do
  for j = 1, n - i do
    if arr[j] > arr[j + 1] then
      arr[j], arr[j + 1] = arr[j + 1], arr[j]
    end
  end
end
local out = ""
for i = 1, n do
  out = out .. arr[i]
  if i < n then out = out .. " " end
end
print(out)
local words = {"pear", "apple", "fig", "banana"}
for i = 2, #words do
  local v = words[i]
  local j = i - 1
  while j >= 1 and words[j] > v do
    words[j + 1] = words[j]
    j = j - 1
  end
  words[j + 1] = v
end
print(words[1], words[2], words[3], words[4])
