-- setfenv changes only the given closure, not other closures of the same prototype
local function mk() return function() return who end end
local f1, f2 = mk(), mk()
who = "global"
setfenv(f1, {who = "env1"})
print(f1(), f2())
setfenv(f2, {who = "env2"})
print(f1(), f2(), who)
