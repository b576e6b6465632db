-- constructors accept trailing separators and mix , and ; as separators
local t = {1, 2, 3,}
local u = {1; 2; k = 3;}
local v = {[1] = "a"; "b", c = "c",}
print(#t, #u, u.k, v[1], v.c)
local function f() return; end
print(select('#', f()))
local a = 1; local b = 2; print(a + b);
