-- index key expressions are evaluated before the right-hand sides
local log = {}
local function k(v) log[#log + 1] = "k" .. v; return v end
local function r(v) log[#log + 1] = "r" .. v; return v end
local t = {}
t[k(1)], t[k(2)] = r(10), r(20)
print(t[1], t[2])
local s = ""
for i = 1, #log do s = s .. log[i] .. " " end
print(s)
