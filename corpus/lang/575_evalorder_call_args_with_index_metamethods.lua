-- function arguments mixing __index reads, calls and vararg expansion evaluate left to right
local log = {}
local function note(x) log[#log + 1] = x; return x end
local src = setmetatable({}, {__index = function(t, k) return note(k) end})
local function show(...) return select('#', ...) end
print(show(src.a, note("b"), src.c, note("d"), note("e")))
local s = ""
for i = 1, #log do s = s .. log[i] end
print(s)
