-- error: indexing a nil field names the field
local t = {inner = {}}
print(t.inner.x)
local v = t.inner.x.y
print("not reached", v)
