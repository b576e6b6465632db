-- closures and their shared cells survive collections that happen while
-- they are only reachable from the stack, from tables, or from upvalues
local makers = {}
for i = 1, 10 do
  local count = 0
  makers[i] = {
    inc = function() count = count + i; return count end,
    get = function() return count end,
  }
end
collectgarbage()
for round = 1, 3 do
  for i = 1, 10 do makers[i].inc() end
  collectgarbage()
end
local s = 0
for i = 1, 10 do s = s + makers[i].get() end
print(s)
local function chain(n)
  if n == 0 then return function() return 0 end end
  local inner = chain(n - 1)
  local junk = { n }
  return function() return n + inner() end
end
local f = chain(200)
collectgarbage()
print(f())
