-- a caught table error with __tostring prints through tostring
local E = setmetatable({}, {__tostring = function(e) return "E-object" end})
local ok, e = pcall(error, E)
print(ok, tostring(e), rawequal(e, E))
print(ok, e)
ok, e = pcall(function() error(E, 2) end)
print(tostring(e))
