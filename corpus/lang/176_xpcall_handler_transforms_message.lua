-- the xpcall handler's return value replaces the error
local function handler(m) return "handled: " .. m end
print(xpcall(function() error("bad thing") end, handler))
print(xpcall(function() error("raw", 0) end, handler))
print(xpcall(function() local t = nil; return t.x end, handler))
print(xpcall(function() error({}) end, function(e) return type(e) end))
