-- a call with 12 arguments, several of which are nested calls with multiple returns
local function id(...) return ... end
local function two(a) return a, a * 2 end
local function f(...)
  local s = ""
  for i = 1, select('#', ...) do s = s .. tostring((select(i, ...))) .. "," end
  return s
end
print(f(1, two(2), id(3, 4), {5} ~= nil, two(6), id(), 7, id(8, 9), two(10)))
print(f(id(f(1, 2), "x"), two(3)))
