-- __call results behave like ordinary call results
local f = setmetatable({}, {__call = function(_, n)
  local t = {}
  for i = 1, n do t[i] = i end
  return unpack(t)
end})
print(f(3))
local t = {f(4)}
print(#t, t[4])
print((f(5)))
print(select('#', f(0)))
