-- xpcall handler receives the raw error value, including runtime error strings with positions
local function h(e) return "H[" .. tostring(e) .. "]" end
print(xpcall(function() local t = nil; return t.x end, h))
print(xpcall(function() return 1 + {} end, h))
print(xpcall(function() error("custom", 0) end, h))
print(xpcall(function() error() end, h))
