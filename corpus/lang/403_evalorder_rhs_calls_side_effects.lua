-- right-hand side calls run left to right before assignment; lhs index values captured first
local log = {}
local function f(tag, v) log[#log + 1] = tag; return v end
local t = {}
local i = 1
t[i], i = f("a", "x"), f("b", 5)
print(i, t[1], t[5])
print(#log, log[1], log[2])
local x, y, z = f("c", 1), f("d", 2), f("e", 3)
print(x, y, z, #log, log[3], log[4], log[5])
local p, q = f("g", 9)
print(p, q, #log)
