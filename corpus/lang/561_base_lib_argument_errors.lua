-- argument errors from base library functions
print(pcall(setmetatable, 1, {}))
print(pcall(setmetatable, {}, 1))
print(pcall(rawset, 1, 2, 3))
print(pcall(rawget, "s", 1))
print(pcall(ipairs))
print(pcall(unpack, nil))
print(pcall(select, "x"))
print(pcall(tostring))
