-- 250 values passed through several vararg functions and unpack
local t = {}
for i = 1, 250 do t[i] = i end
local function a(...) return ... end
local function b(...) return select('#', ...), a(...) end
local function c(...) local n = select('#', ...); return n, b(...) end
local function sum(...)
  local s = 0
  for i = 1, select('#', ...) do s = s + (select(i, ...)) end
  return s
end
print(c(unpack(t)))
print(sum(a(unpack(t))))
print(select('#', c(unpack(t))))
print(select(250, a(unpack(t))))
print(select(-1, b(unpack(t))))
