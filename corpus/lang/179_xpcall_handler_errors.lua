-- a handler that itself fails yields "error in error handling"
print(xpcall(function() error("first") end, function(m) error("second") end))
print(xpcall(function() error("first") end, function(m) local n = nil; return n.x end))
print(xpcall(function() error("first") end, function(m) error(m, 0) end))
print(xpcall(function() return "fine" end, function(m) error("unused") end))
