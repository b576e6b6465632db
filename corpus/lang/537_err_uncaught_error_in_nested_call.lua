-- an uncaught error from a nested call terminates with the message on stderr
local function inner(x)
  if x > 2 then error("too big: " .. x) end
  return x
end
local function outer(n)
  local s = 0
  for i = 1, n do s = s + inner(i) end
  return s
end
print(outer(2))
print(outer(5))
print("unreachable")
