-- __newindex as a table redirects new keys there
local store = {}
local t = setmetatable({existing = 1}, {__newindex = store})
t.new = "value"
t.existing = 2
print(rawget(t, "new"), store.new)
print(t.existing, store.existing)
print(t.new)
