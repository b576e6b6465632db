-- __call receives the object first and forwards any number of varargs
local callable = setmetatable({}, {__call = function(self, ...)
  return select('#', ...), ...
end})
print(callable())
print(callable(nil, nil))
print(callable(1, 2, 3))
local t = {}
for i = 1, 100 do t[i] = i end
print((callable(unpack(t))))
print(select(-1, callable(unpack(t))))
