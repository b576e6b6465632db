-- setfenv returns the function and getfenv sees the new table
local env = {}
local function f() return marker end
print(setfenv(f, env) == f)
print(getfenv(f) == env, getfenv(f) == _G)
env.marker = "found"
print(f())
print(marker)
