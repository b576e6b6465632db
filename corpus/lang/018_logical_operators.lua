-- and/or return operands and short-circuit; not returns booleans
print(nil and 1)
print(false and 1)
print(1 and 2)
print(nil or 1)
print(false or nil)
print(1 or error("not evaluated"))
print(nil and error("not evaluated"))
print(0 and "zero is true")
print("" and "empty string is true")
print(not 0)
print(not not nil)
local x = nil
local y = x or "default"
print(y)
print(1 and nil or "fallback")
print(false or false and true)
print(true and false or true)
