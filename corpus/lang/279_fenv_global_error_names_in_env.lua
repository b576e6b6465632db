-- errors in a custom environment still name globals
local function f() return missing.x end
local function g() return nope() end
setfenv(f, {})
setfenv(g, {})
print(pcall(f))
print(pcall(g))
local function h() return _G end
setfenv(h, {})
print(h())
