-- __call receives the called table first, then the arguments
local obj = setmetatable({name = "callable"}, {__call = function(self, a, b, ...)
  return self.name, a, b, select('#', ...)
end})
print(obj())
print(obj(1, 2))
print(obj(1, 2, 3, nil))
print(pcall(obj, "p"))
