-- immediately invoked function expressions returning multiple values
local a, b, c = (function() return 1, 2, 3 end)()
print(a, b, c)
local t = {(function(...) return ... end)(4, 5, 6)}
print(#t)
print((function() return "x", "y" end)())
print(((function() return "x", "y" end)()))
local v = (function(n) local s = 0; for i = 1, n do s = s + i end; return s end)(100)
print(v)
