-- getfenv(0), getfenv(1), getfenv() and getfenv(f) are _G by default
local function f() return 1 end
print(getfenv(0) == _G)
print(getfenv(1) == _G)
print(getfenv() == _G)
print(getfenv(f) == _G)
print(_G._G == _G, _G.print == print)
local function inner() return getfenv(1), getfenv(2) end
local a, b = inner()
print(a == _G, b == _G)
