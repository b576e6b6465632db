-- functions as table keys and calls through table lookups by function key
local function k1() return 1 end
local function k2() return 2 end
local t = {[k1] = "one", [k2] = "two"}
print(t[k1], t[k2])
local dispatch = {[k1] = k2, [k2] = k1}
print(dispatch[k1](), dispatch[dispatch[k1]]())
t[k1] = nil
print(t[k1], t[k2])
