-- next walks a table directly and returns nil at the end
print(next({}))
print(next({5}))
print(next({5}, 1))
print(next({nil, nil}))
local t = {"a", "b", "c"}
local k, v = next(t)
while k do
  print(k, v)
  k, v = next(t, k)
end
print(rawequal(next, pairs({})))
