-- error: indexing a nil global names the global
local port = 80
print("before", port)
local v = settings.port
print("not reached", v)
