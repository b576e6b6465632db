-- the same for a method call whose arguments start on the next line
local t = { m = function(self, x) return x end }
local v = t:m
("y")
print(v)
