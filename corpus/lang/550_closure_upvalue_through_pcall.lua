-- upvalue mutations made in a function that errors are visible after pcall
local count = 0
local function risky(n)
  count = count + n
  if n > 2 then error("too big") end
  count = count * 10
end
pcall(risky, 1)
print(count)
pcall(risky, 5)
print(count)
local ok = pcall(function() count = -1; error("x") end)
print(ok, count)
