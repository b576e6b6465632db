-- table field and index get/set with various key types
local t = {}
t.name = "lua"
t["version"] = 5.1
t[1] = "one"
t[2.0] = "two"
t[true] = "yes"
t["1"] = "string one"
print(t.name, t.version, t[1], t[2], t[true], t["1"])
print(t["name"], t.missing)
local k = "dyn"
t[k] = "dynamic"
print(t.dyn)
t.name = nil
print(t.name)
t[1.5] = "float key"
print(t[1.5], t[3 / 2])
t[-1] = "negative"
print(t[-1])
local key = {}
t[key] = "table key"
print(t[key], t[{}])
t.name = "again"
print(t.name)
t.count = 0
t.count = t.count + 1
print(t.count)
