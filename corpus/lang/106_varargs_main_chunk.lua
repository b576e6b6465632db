-- the main chunk is a vararg function called with no arguments
print(select('#', ...))
local a, b = ...
print(a, b)
local t = {...}
print(#t, t[1])
print(...)
print((...))
local function f(...) return select('#', ...) end
print(f(...), f(..., 1), f(1, ...))
