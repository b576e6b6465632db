-- a bad argument to ipairs from a nested call
local function walk(t)
  local n = 0
  for _ in ipairs(t) do n = n + 1 end
  return n
end
print(walk({1, 2}))
print(walk(nil))
