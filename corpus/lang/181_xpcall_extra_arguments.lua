-- LuaJIT's xpcall passes extra arguments to the function
print(xpcall(function(a, b) return a + b end, print, 1, 2))
print(xpcall(function(...) return select('#', ...) end, print, nil, nil, nil))
print(xpcall(function(a) error(a, 0) end, function(m) return "got " .. m end, "arg"))
print(xpcall(function() return "no args" end, print))
