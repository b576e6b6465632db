-- equality between different types is always false
print(1 == "1")
print("1" == 1)
print(0 == false)
print(nil == false)
print("" == false)
print(1 ~= "1")
local t = {}
local u = {}
print(t == t)
print(t == u)
print(t ~= u)
local f = function() end
print(f == f)
print(true == 1)
