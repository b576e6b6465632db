-- tail calls into callable tables and back into functions many times
local loop
local obj = setmetatable({}, {__call = function(self, n, acc) return loop(n, acc) end})
function loop(n, acc)
  if n == 0 then return acc end
  return obj(n - 1, acc + n)
end
print(loop(10000, 0))
