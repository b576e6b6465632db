-- only the handler's first return value comes back from xpcall
print(xpcall(function() error("e", 0) end, function(m) return m .. "1", m .. "2" end))
print(select('#', xpcall(function() error("e", 0) end, function() end)))
print(xpcall(function() error("e", 0) end, function() return nil end))
print(xpcall(function() error("e", 0) end, function(m) return 42 end))
