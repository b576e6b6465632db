-- varargs grow by one value on each of 250 tail calls
local function grow(n, ...)
  if n == 0 then return select('#', ...), (select(1, ...)), (select(-1, ...)) end
  return grow(n - 1, n, ...)
end
print(grow(250))
local function sum(acc, x, ...)
  if x == nil then return acc end
  return sum(acc + x, ...)
end
local t = {}
for i = 1, 240 do t[i] = i end
print(sum(0, unpack(t)))
