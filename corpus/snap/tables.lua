local t = { 1, 2, x = "y", [10] = true }
t.z = #t
local obj = { v = 2 }
function obj:twice(k) return self.v * k, k end
print(t.z, obj:twice(3))
