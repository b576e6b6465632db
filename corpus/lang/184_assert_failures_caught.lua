-- assert failures: default message, custom strings, numbers and tables
print(pcall(assert, false))
print(pcall(assert, nil, "msg"))
print(pcall(function() assert(false) end))
print(pcall(function() assert(nil, "custom") end))
print(pcall(function() assert(false, 42) end))
local err = {}
local ok, e = pcall(function() assert(false, err) end)
print(ok, rawequal(e, err))
print(pcall(function() assert() end))
