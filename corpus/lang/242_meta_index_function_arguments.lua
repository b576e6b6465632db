-- an __index function receives the table actually indexed and the key
local seen_t, seen_k
local inner = setmetatable({}, {__index = function(t, k) seen_t, seen_k = t, k; return k end})
local outer = setmetatable({}, {__index = inner})
print(outer.key)
print(seen_t == inner, seen_t == outer, seen_k)
print(outer[1], seen_k, type(seen_k))
print(outer[2.0], seen_k)
