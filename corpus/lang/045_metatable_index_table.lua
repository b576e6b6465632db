-- __index as a table provides inherited fields
local base = {greeting = "hello", shared = 1}
local obj = setmetatable({}, {__index = base})
print(obj.greeting, obj.shared, obj.missing)
obj.shared = 2
print(obj.shared, base.shared)
base.late = "added later"
print(obj.late)
local grand = {g = "grand"}
local parent = setmetatable({p = "parent"}, {__index = grand})
local child = setmetatable({c = "child"}, {__index = parent})
print(child.c, child.p, child.g, child.none)
print(rawget(child, "p"), rawget(child, "c"))
local mt = {__index = base}
local r = setmetatable({}, mt)
print(getmetatable(r) == mt)
print(getmetatable({}))
print(setmetatable(r, nil) == r, getmetatable(r))
print(r.greeting)
