-- __newindex table redirects writes of new keys; existing keys are written raw
local backing = {}
local proxy = setmetatable({existing = 1}, {__newindex = backing, __index = backing})
proxy.x = 10
proxy.existing = 2
print(rawget(proxy, "x"), backing.x, proxy.x)
print(rawget(proxy, "existing"), backing.existing)
proxy.x = 20
print(backing.x, rawget(proxy, "x"))
rawset(proxy, "y", 5)
proxy.y = 6
print(proxy.y, backing.y)
