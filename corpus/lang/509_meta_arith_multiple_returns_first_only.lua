-- arithmetic metamethods returning several values contribute only the first
local mt = {
  __add = function(a, b) return 1, 2, 3 end,
  __sub = function() end,
  __mul = function() return nil, "ignored" end,
}
local o = setmetatable({}, mt)
print(o + 1)
print(o - 1)
print(o * 2)
local t = {o + o, o + o}
print(#t, t[1], t[2])
print(select('#', o + 1))
