-- metatable on _G intercepts undefined global reads and new global writes
local writes = {}
setmetatable(_G, {
  __index = function(t, k) return "auto_" .. k end,
  __newindex = function(t, k, v) writes[#writes + 1] = k; rawset(t, k, v) end,
})
print(undefined_thing, another)
newg = 1
newg = 2
print(newg, #writes, writes[1])
setmetatable(_G, nil)
print(undefined_thing)
