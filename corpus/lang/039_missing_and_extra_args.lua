-- missing arguments are nil and extra arguments are dropped
local function show(a, b, c)
  print(a, b, c)
end
show()
show(1)
show(1, 2)
show(1, 2, 3)
show(1, 2, 3, 4)
local function count_nils(a, b, c)
  local n = 0
  if a == nil then n = n + 1 end
  if b == nil then n = n + 1 end
  if c == nil then n = n + 1 end
  return n
end
print(count_nils(), count_nils(1), count_nils(nil, nil, 1))
local function noparams() return "ok" end
print(noparams(1, 2, 3))
