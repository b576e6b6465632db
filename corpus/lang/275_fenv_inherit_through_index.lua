-- an env with __index = _G sees globals but keeps its own writes
local env = setmetatable({}, {__index = _G})
local function f()
  local before = shadow
  shadow = "local copy"
  print(before, shadow, type(tostring))
end
shadow = "original"
setfenv(f, env)
f()
print(shadow, env.shadow)
