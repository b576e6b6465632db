-- setmetatable argument checking and its return value
print(pcall(setmetatable, {}, 1))
print(pcall(function() setmetatable(nil, {}) end))
print(pcall(function() setmetatable("s", {}) end))
local t = {}
print(setmetatable(t, {}) == t)
print(select('#', setmetatable(t, nil)))
