-- print of an object whose __tostring returns a table
local t = setmetatable({}, {__tostring = function() return {} end})
print("before")
print(type(tostring(t)))
print(t)
print("never")
