-- the xpcall handler may itself use pcall, and its errors are contained
local function handler(e)
  local ok, inner = pcall(function() error("inner:" .. tostring(e), 0) end)
  return "handled(" .. tostring(ok) .. "," .. inner .. ")"
end
print(xpcall(function() error("outer", 0) end, handler))
print(xpcall(function() error({}, 0) end, function(e) return type(e) end))
print(xpcall(function() return "fine", 2 end, handler))
local depth = 0
print(xpcall(function() error("x", 0) end, function(e)
  depth = depth + 1
  return select(2, pcall(error, e .. depth, 0))
end))
