-- callable objects stored as fields and called with method syntax
local callable = setmetatable({}, {__call = function(self, recv, x)
  return type(recv) == "table" and recv.name or "?", x
end})
local obj = {name = "obj", m = callable}
print(obj:m(5))
print(obj.m(obj, 6))
print(obj.m(7))
