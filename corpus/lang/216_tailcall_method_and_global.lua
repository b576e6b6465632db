-- tail calls through methods and globals are also proper
local obj = {}
function obj:down(n)
  if n == 0 then return "bottom" end
  return self:down(n - 1)
end
print(obj:down(1000000))
function global_down(n, acc)
  if n == 0 then return acc end
  return global_down(n - 1, acc + 2)
end
print(global_down(1000000, 0))
