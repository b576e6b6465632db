-- pairs visits every array and hash entry exactly once
local t = {10, 20, 30, x = 1, y = 2, z = 3}
local count, sum, keysum = 0, 0, 0
for k, v in pairs(t) do
  count = count + 1
  sum = sum + v
  if type(k) == "number" then keysum = keysum + k end
end
print(count, sum, keysum)
local n = 0
for _ in pairs({}) do n = n + 1 end
print(n)
