-- 200 nested pcalls unwinding one error at a time
local function nest(n)
  if n == 0 then error("deep", 0) end
  local ok, e = pcall(nest, n - 1)
  return e .. (n % 50 == 0 and n or "")
end
print(pcall(nest, 200))
local depth = 0
local function count(n)
  depth = depth + 1
  if n == 0 then return depth end
  return select(2, pcall(count, n - 1))
end
print(count(200))
