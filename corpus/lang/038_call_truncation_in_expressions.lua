-- calls are truncated to one value inside expressions and parentheses
local function two() return 3, 4 end
print(two() + 1)
print(two() .. "x")
print(-two())
print((two()))
local t = {two(), two()}
print(#t, t[1], t[2], t[3])
local u = {(two())}
print(#u)
local v = {two(), (two())}
print(#v)
local function pass(a, b, c) return c, b, a end
print(pass(two()))
print(pass(two(), 9))
print(pass(1, two()))
local function wrap() return two() end
print(wrap())
local function wrap1() return (two()) end
print(wrap1())
