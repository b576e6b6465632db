-- an xpcall handler that errors yields an error result rather than hanging
local ok, e = xpcall(function() error("a") end, function(m) error("b") end)
print(ok, type(e))
local ok2, e2 = xpcall(function() return 1 end, function() error("unused") end)
print(ok2, e2)
