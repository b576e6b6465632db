-- the result of a failing xpcall handler, rethrown
local handled = 0
local ok, e = xpcall(function() error("first") end, function(m)
  handled = handled + 1
  error("in handler")
end)
print(ok, e, handled > 0)
error(e, 0)
