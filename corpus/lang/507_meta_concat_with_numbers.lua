-- __concat invoked when one operand is a number or string, operand order preserved
local mt = {__concat = function(a, b)
  local sa = type(a) == "table" and "<" .. a.n .. ">" or tostring(a)
  local sb = type(b) == "table" and "<" .. b.n .. ">" or tostring(b)
  return sa .. sb
end}
local o = setmetatable({n = 7}, mt)
print(o .. 1, 1 .. o, o .. "s", "s" .. o, o .. o)
print(1 .. 2 .. o)
print(o .. 1 .. 2)
