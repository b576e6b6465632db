-- ipairs starts at 1 and skips index 0 and string keys
local t = {[0] = "zero", "one", "two", name = "x", [3] = "three"}
local n = 0
for i, v in ipairs(t) do
  n = n + 1
  print(i, v)
end
print(n)
for i, v in ipairs({false, false}) do print(i, v) end
