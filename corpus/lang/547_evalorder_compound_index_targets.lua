-- assignment targets with nested index expressions computed by calls
local log = {}
local function id(x) log[#log + 1] = x; return x end
local t = {a = {}, b = {}}
t[id("a")][id(1)], t[id("b")][id(2)] = id("va"), id("vb")
print(t.a[1], t.b[2])
local s = ""
for i = 1, #log do s = s .. tostring(log[i]) .. " " end
print(s)
