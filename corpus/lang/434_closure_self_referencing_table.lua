-- closures in a table referring to the table through an upvalue
local obj
obj = {
  n = 0,
  add = function(k) obj.n = obj.n + k; return obj end,
}
obj.add(1).add(2).add(3)
print(obj.n)
local old = obj
obj = {n = 100, add = old.add}
old.add(5)
print(old.n, obj.n)
