-- methods with varargs get self first and the rest in ...
local obj = {name = "o"}
function obj:tell(...)
  return self.name, select('#', ...), ...
end
print(obj:tell())
print(obj:tell(1, nil))
print(obj.tell(obj, "a"))
print(obj.tell({name = "p"}, "a", "b"))
