-- changing a protected metatable is an uncaught error
local t = setmetatable({}, {__metatable = "no"})
print(getmetatable(t))
print(pcall(setmetatable, t, {}))
setmetatable(t, {})
print("never")
