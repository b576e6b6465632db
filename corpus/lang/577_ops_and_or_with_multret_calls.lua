-- and/or truncate multiple results of calls to one value
local function two() return 1, 2 end
local function none() end
print(two() and two())
print(none() or two())
print((two() or 0), select('#', none() or none()))
local t = {two() and two()}
print(#t)
local function r() return two() or 5 end
print(r())
local function r2() return false or two() end
print(r2())
