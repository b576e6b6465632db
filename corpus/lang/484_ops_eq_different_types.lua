-- == between different types is always false and never errors
print(1 == "1", "1" == 1, 0 == false, nil == false, "" == nil)
print({} == {}, print == print, print == tostring)
local t = setmetatable({}, {__eq = function() return true end})
print(t == 1, 1 == t, t == "x", t == nil)
print(1 ~= "1", nil ~= false, 0 ~= -0)
print(1/0 == 2^1024, 0/0 ~= 0/0)
