-- multiple assignment to globals observed through an environment __newindex
local log = {}
local env = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end, __index = _G})
local function f()
  ga, gb, gc = 1, 2, 3
  return ga + gb + gc
end
setfenv(f, env)
print(f(), log[1], log[2], log[3])
