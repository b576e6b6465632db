-- errors raised inside metamethods are caught by pcall
local mt = {
  __index = function(t, k) error("no field " .. k) end,
  __add = function(a, b) error("cannot add", 0) end,
  __call = function(self, x) return self.missing end,
}
local obj = setmetatable({}, mt)
print(pcall(function() return obj.foo end))
print(pcall(function() return obj + 1 end))
print(pcall(obj, 1))
print(pcall(function() return 1 + obj end))
