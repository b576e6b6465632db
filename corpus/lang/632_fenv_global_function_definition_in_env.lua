-- function definitions with global names inside a custom environment land in it
local env = {print = print}
local function defs()
  function helper(x) return x * 2 end
  local function loc() return helper(4) end
  result = loc()
end
setfenv(defs, env)
defs()
print(env.result, type(env.helper), helper, result)
