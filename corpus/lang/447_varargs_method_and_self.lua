-- methods with varargs receive self separately from ...
local obj = {name = "o"}
function obj:m(...)
  return self.name, select('#', ...), ...
end
print(obj:m())
print(obj:m(nil))
print(obj:m(1, nil, 3))
print(obj.m(obj, "x"))
print(obj.m({}, "y"))
local other = {name = "p", m = obj.m}
print(other:m(obj:m(9)))
