-- an uncaught error object with __tostring
print("before")
local E = setmetatable({}, {__tostring = function() return "custom error object" end})
print(tostring(E))
local function raise() error(E) end
raise()
