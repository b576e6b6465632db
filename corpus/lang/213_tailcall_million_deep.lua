-- a proper tail call a million levels deep does not grow the stack
local function count(n, acc)
  if n == 0 then return acc end
  return count(n - 1, acc + 1)
end
print(count(1000000, 0))
print(count(0, "zero"))
print(count(3, 0.5))
