-- setfenv on a function redirects its global reads and writes
local env = {print = print, x = "env-x"}
x = "global-x"
local function f() y = "set"; return x end
setfenv(f, env)
print(f(), x, y, env.y)
local g = function() return x end
print(g())
print(getfenv(f) == env, getfenv(g) == _G)
