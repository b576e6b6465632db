-- error: assert(nil, msg) raises msg with position information
local value = nil
print("checking")
assert(value, "custom message")
print("not reached")
