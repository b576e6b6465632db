-- when the xpcall handler itself errors, the result is an error value
print(xpcall(function() error("first") end, function(e) error("in handler") end))
print(xpcall(function() error("first") end, function(e) local x = nil; return x.y end))
print(xpcall(function() local a = {} .. "" end, function(e) return "ok handler" end))
print(xpcall(function() return "no error" end, function(e) error("never") end))
