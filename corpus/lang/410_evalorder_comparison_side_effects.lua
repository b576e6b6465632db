-- comparisons and logical operators evaluate operands in order and short-circuit
local trace = {}
local function v(x) trace[#trace + 1] = tostring(x); return x end
local r1 = v(1) < v(2) and v(3) > v(4) or v("fb")
local r2 = v(nil) or v(false) or v(0)
local r3 = v(5) >= v(5) and v(false) and v("never")
print(r1, r2, r3)
for i = 1, #trace do print(i, trace[i]) end
