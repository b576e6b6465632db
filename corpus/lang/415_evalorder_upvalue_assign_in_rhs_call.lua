-- a call on the rhs that mutates a target variable does not affect the assignment
local a, b = 1, 2
local function mut() a = 100; b = 200; return 3 end
a, b = mut(), a
print(a, b)
local t = {v = 1}
local function mt() t.v = 50; return 7 end
t.v, t.w = mt(), t.v
print(t.v, t.w)
