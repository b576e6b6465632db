-- __newindex as a function sees table, key and value; rawset stores
local log = ""
local t = setmetatable({}, {__newindex = function(t, k, v)
  log = log .. k .. "=" .. tostring(v) .. ";"
  rawset(t, k, v and v * 2)
end})
t.a = 1
t.b = 2
t.a = 10
t.c = nil
print(log)
print(t.a, t.b, t.c)
