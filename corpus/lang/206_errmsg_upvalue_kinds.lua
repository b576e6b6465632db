-- upvalues of every kind are named as upvalues
local n, s, b, t = nil, "str", true, {}
print(pcall(function() return n.x end))
print(pcall(function() return s + 1 end))
print(pcall(function() return b() end))
print(pcall(function() return #b end))
print(pcall(function() return t .. "" end))
print(pcall(function() return t.x.y end))
