-- xpcall demands a function handler even when nothing fails
print(pcall(xpcall, function() return 1 end, nil))
print(pcall(xpcall, function() error("e") end, 42))
print(pcall(function() return xpcall(function() return 1 end) end))
print(pcall(function() local a, b = xpcall(function() return 1 end) return a end))
print(xpcall(nil, function(m) return "handler: " .. m end))
