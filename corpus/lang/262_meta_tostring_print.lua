-- __tostring is used by tostring and print; __name is not
local P = {}
P.__tostring = function(p) return "Point(" .. p.x .. "," .. p.y .. ")" end
local p = setmetatable({x = 1, y = 2}, P)
print(p)
print(tostring(p))
print(p, "and", p)
print(type(tostring(p)))
local named = setmetatable({}, {__name = "MyType", __tostring = function() return "named" end})
print(named)
