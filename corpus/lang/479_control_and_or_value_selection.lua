-- and/or return operand values, not booleans, in nested combinations
print(1 and 2, nil and 2, false and nil, 1 or 2, nil or false, false or nil)
print(nil and nil or "d", 0 and "zero", "" or "x")
local t = {}
print((t and t.x) or "nox", t and #t, not t == nil)
local function f(x) return x and x > 2 and "big" or x and "small" or "none" end
print(f(5), f(1), f(nil), f(false))
print(1 and nil or false, false or 1 and 2, (nil or 0) and (false or 3))
