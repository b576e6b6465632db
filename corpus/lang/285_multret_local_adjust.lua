-- local declarations adjust results with nil padding
local function two() return 1, 2 end
local function none() end
local a, b, c = two()
print(a, b, c)
local d, e = none()
print(d, e)
local f, g, h = two(), 10
print(f, g, h)
local i, j, k = 0, two()
print(i, j, k)
