-- errors raised inside metamethods propagate to pcall with their messages
local mt = {
  __index = function(t, k) error("no field " .. k) end,
  __add = function() error({code = 42}) end,
  __call = function() error("call failed", 0) end,
  __eq = function() error("eq failed", 2) end,
}
local o = setmetatable({}, mt)
local ok, e = pcall(function() return o.foo end)
print(ok, e)
ok, e = pcall(function() return o + 1 end)
print(ok, type(e), e.code)
print(pcall(o))
print(pcall(function() return o == setmetatable({}, mt) end))
