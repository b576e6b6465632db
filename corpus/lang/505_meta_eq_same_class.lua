-- __eq between two objects sharing the metamethod; result coerced to boolean
local mt = {__eq = function(a, b) return a.v == b.v and "yes" end}
local function new(v) return setmetatable({v = v}, mt) end
local x, y, z = new(1), new(1), new(2)
print(x == y, x == z, x ~= y, x ~= z)
print(x == x, rawequal(x, y))
local other = setmetatable({v = 1}, {__eq = mt.__eq})
print(x == other)
local plain = {v = 1}
print(x == plain, plain == x)
