-- error level 2 from a method blames the caller of the method
local Acc = {}
Acc.__index = Acc
function Acc:add(n)
  if type(n) ~= "number" then error("bad amount", 2) end
  self.v = self.v + n
  return self
end
local a = setmetatable({v = 0}, Acc)
print(pcall(function() return a:add(1):add(2).v end))
print(pcall(function()
  return a:add("x")
end))
print(a.v)
