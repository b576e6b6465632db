-- rawequal, rawget and rawset bypass __eq, __index and __newindex
local log = 0
local mt = {
  __eq = function() log = log + 1; return true end,
  __index = function() log = log + 10; return "meta" end,
  __newindex = function() log = log + 100 end,
}
local a, b = setmetatable({}, mt), setmetatable({}, mt)
print(a == b, rawequal(a, b), rawequal(a, a), log)
print(a.x, rawget(a, "x"), log)
a.y = 1
rawset(a, "z", 2)
print(rawget(a, "y"), rawget(a, "z"), a.z, log)
