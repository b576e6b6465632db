-- an environment table inheriting from _G via __index, writes stay local
local env = setmetatable({}, {__index = _G})
local function f()
  newglobal = 5
  return type(print), newglobal
end
setfenv(f, env)
print(f())
print(newglobal, env.newglobal)
