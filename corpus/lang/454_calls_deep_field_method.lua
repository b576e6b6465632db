-- a.b.c:d(...) method calls on deep field paths
local a = {b = {c = {name = "C"}}}
function a.b.c:d(...)
  return self.name, select('#', ...), ...
end
print(a.b.c:d())
print(a.b.c:d(1, 2))
local k = "c"
print(a.b[k]:d("x"))
a.b.c.name = "changed"
print(a["b"].c:d(nil))
