-- error: arithmetic on a table field names the field
local t = {total = {}}
print(type(t.total))
local v = t.total * 2
print("not reached", v)
