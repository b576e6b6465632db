-- non-tail recursion 15000 levels deep completes
local function depth(n)
  if n == 0 then return 0 end
  return 1 + depth(n - 1)
end
print(depth(15000))
local function build(n)
  if n == 0 then return nil end
  return {next = build(n - 1), n = n}
end
local list, len = build(15000), 0
while list do len = len + 1; list = list.next end
print(len)
