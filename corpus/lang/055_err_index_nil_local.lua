-- error: indexing a nil local names the local
local config = nil
print("before")
local v = config.port
print("not reached", v)
