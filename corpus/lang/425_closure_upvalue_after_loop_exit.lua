-- closures share the same loop-body local only within the same iteration
local a, b = {}, {}
for i = 1, 3 do
  local c = 0
  a[i] = function() c = c + i; return c end
  b[i] = function() return c end
end
a[1](); a[1](); a[3]()
print(b[1](), b[2](), b[3]())
print(a[2](), b[2]())
