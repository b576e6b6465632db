-- __newindex intercepts assignments to absent keys only
local log = {}
local store = {}
local proxy = setmetatable({}, {
  __newindex = function(t, k, v)
    log[#log + 1] = k
    rawset(t, k, v * 10)
  end
})
proxy.a = 1
proxy.b = 2
print(proxy.a, proxy.b, #log, log[1], log[2])
proxy.a = 3
print(proxy.a, #log)
local redirect = setmetatable({}, {__newindex = store})
redirect.x = "to store"
print(rawget(redirect, "x"), store.x)
local ro = setmetatable({}, {__newindex = function(t, k, v) end})
ro.ignored = true
print(ro.ignored)
local both = setmetatable({}, {__index = store, __newindex = store})
both.y = "y via newindex"
print(both.y, store.y, rawget(both, "y"))
