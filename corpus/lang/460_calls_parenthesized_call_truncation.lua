-- parentheses truncate multiple results everywhere
local function m() return 1, 2, 3 end
local t = {(m())}
print(#t)
print((m()))
local a, b = (m())
print(a, b)
local function r() return (m()) end
print(r())
print(select('#', (m())))
