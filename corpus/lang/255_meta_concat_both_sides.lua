-- __concat is used when either side is a table, in right-assoc order
local log = ""
local mt = {__concat = function(a, b)
  local sa = type(a) == "table" and "T" or a
  local sb = type(b) == "table" and "T" or b
  log = log .. "[" .. sa .. "|" .. sb .. "]"
  return sa .. sb
end}
local t = setmetatable({}, mt)
print(t .. "s", "s" .. t, t .. t)
print(1 .. t, t .. 2.5)
log = ""
print("a" .. t .. "b" .. "c")
print(log)
