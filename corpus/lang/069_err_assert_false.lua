-- error: assert(false) with the default message
local ok = assert(true)
print(ok)
assert(false)
print("not reached")
