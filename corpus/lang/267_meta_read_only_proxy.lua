-- a read-only proxy raises an error from __newindex at the caller's line
local function readonly(t)
  return setmetatable({}, {
    __index = t,
    __newindex = function(_, k) error("attempt to update read-only field " .. k, 2) end,
  })
end
local conf = readonly({port = 80})
print(conf.port)
print(pcall(function() conf.port = 81 end))
print(conf.port, rawget(conf, "port"))
