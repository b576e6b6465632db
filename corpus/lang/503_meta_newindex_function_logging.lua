-- __newindex function sees table, key and value; can store via rawset
local log = {}
local t = setmetatable({}, {__newindex = function(t, k, v)
  log[#log + 1] = tostring(k) .. "=" .. tostring(v)
  if type(v) == "number" then rawset(t, k, v * 2) end
end})
t.a = 1
t.b = "s"
t[1] = 3
t.a = 100
print(t.a, t.b, t[1])
for i = 1, #log do print(log[i]) end
