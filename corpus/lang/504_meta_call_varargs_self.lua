-- __call receives the called object plus arbitrary arguments and can return many values
local mt = {}
mt.__call = function(self, a, ...)
  return self.name, a, select('#', ...), ...
end
local obj = setmetatable({name = "callable"}, mt)
print(obj())
print(obj(1))
print(obj(1, nil, 3))
print(pcall(obj, "p"))
local t = {obj(obj(5))}
print(#t, t[1], t[2], t[3])
