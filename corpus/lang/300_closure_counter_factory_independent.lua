-- each factory call makes an independent counter
local function counter(start, step)
  local n = start
  return function() n = n + step; return n end
end
local a, b = counter(0, 1), counter(100, -5)
print(a(), a(), b(), a(), b())
