-- rawget and rawset skip __index and __newindex
local t = setmetatable({}, {
  __index = function() return "from index" end,
  __newindex = function() error("should not be called") end,
})
rawset(t, "k", "raw")
print(t.k, rawget(t, "k"))
print(t.other, rawget(t, "other"))
print(rawset(t, 1, "one") == t)
print(t[1])
print(rawequal(t, t), rawequal(t, {}))
