-- return f() is a tail call returning all values; return (f()) returns one
local function three() return 1, 2, 3 end
local function a() return three() end
local function b() return (three()) end
local function c() return three(), three() end
local function d() local x, y = three(); return y, x end
print(a())
print(b())
print(c())
print(d())
print(select('#', a()), select('#', b()), select('#', c()))
