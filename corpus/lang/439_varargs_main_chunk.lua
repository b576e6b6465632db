-- varargs in the main chunk when the program is run without arguments
print(select('#', ...))
local a, b = ...
print(a, b)
local t = {...}
print(#t)
local function g(...) return select('#', ...) end
print(g(...), g(..., 1), g(1, ...))
