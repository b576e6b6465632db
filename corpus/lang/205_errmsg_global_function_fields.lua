-- nested global tables name the last field in the chain
config = {db = {}}
print(pcall(function() return config.db.host.name end))
print(pcall(function() config.cache.size = 1 end))
print(pcall(function() config.db.connect() end))
print(pcall(function() return config.db.port + 1 end))
print(pcall(function() return #config.db.list end))
