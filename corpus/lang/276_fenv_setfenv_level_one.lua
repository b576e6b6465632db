-- setfenv(1, env) changes the running function's environment
local function f()
  local print, getfenv = print, getfenv
  setfenv(1, {value = "in env"})
  print(value)
  print(getfenv(1).value)
end
value = "global"
f()
print(value)
