-- rawget, rawset and rawequal bypass metamethods
local mt = {
  __index = function() return "meta" end,
  __newindex = function() error("should not be called") end,
  __eq = function() return true end,
}
local a = setmetatable({}, mt)
local b = setmetatable({}, mt)
print(a.x, rawget(a, "x"))
rawset(a, "x", 1)
print(a.x, rawget(a, "x"))
print(rawset(a, "y", 2) == a)
print(a.y)
print(a == b, rawequal(a, b), rawequal(a, a))
print(rawequal(1, 1), rawequal("s", "s"), rawequal(1, "1"), rawequal(nil, nil))
local plain = {10, 20}
print(rawget(plain, 1), rawget(plain, 3))
rawset(plain, 3, 30)
print(#plain, plain[3])
