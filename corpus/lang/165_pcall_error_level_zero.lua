-- error("x", 0) carries no position
print(pcall(function() error("plain", 0) end))
print(pcall(function() error("", 0) end))
print(pcall(function() error("one", 1) end))
local function lvl(n) error("at level " .. n, n) end
print(pcall(lvl, 0))
print(pcall(lvl, 1))
