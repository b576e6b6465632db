-- tail calls passing hundreds of varargs repeatedly
local function drop(k, ...)
  if k == 0 then return select('#', ...), ... end
  return drop(k - 1, select(2, ...))
end
local t = {}
for i = 1, 220 do t[i] = i end
local n, first = drop(100, unpack(t))
print(n, first)
print(select(-1, drop(219, unpack(t))))
print(drop(220, unpack(t)))
