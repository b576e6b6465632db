-- index errors on nil name the source of the nil value along chains
local cfg = {db = {}}
print(pcall(function() return cfg.db.host.name end))
print(pcall(function() return cfg.cache.size end))
print(pcall(function() return nothere.x end))
print(pcall(function() cfg.db.host.name = 1 end))
print(pcall(function() local a = {}; a.b.c = 1 end))
print(pcall(function() return cfg[1][2] end))
