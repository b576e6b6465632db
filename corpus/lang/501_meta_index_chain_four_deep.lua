-- inheritance chain four levels deep through __index tables, with overriding
local A = {a = "A.a", who = function(self) return "A" end}
A.__index = A
local B = setmetatable({b = "B.b", who = function(self) return "B" end}, A)
B.__index = B
local C = setmetatable({c = "C.c"}, B)
C.__index = C
local D = setmetatable({}, C)
D.__index = D
local obj = setmetatable({own = 1}, D)
print(obj.a, obj.b, obj.c, obj.own, obj.missing)
print(obj:who())
A.z = "late"
print(obj.z)
C.who = function() return "C" end
print(obj:who(), rawget(obj, "a"))
