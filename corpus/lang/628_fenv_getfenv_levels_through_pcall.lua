-- getfenv by level: 1 is the caller itself, 0 the global environment
local env = setmetatable({}, {__index = _G})
local function probe()
  return getfenv(1) == env, getfenv(0) == _G
end
setfenv(probe, env)
print(probe())
print(pcall(probe))
local function outer() return getfenv(2) == _G end
print(outer())
print(pcall(getfenv, -1))
