-- ipairs continues over false and stops only at nil
local t = {true, false, 0, "", false}
for i, v in ipairs(t) do print(i, v) end
local f, s, init = ipairs(t)
print(type(f), s == t, init)
print(f(t, 0))
print(f(t, 4))
print(select('#', f(t, 5)), f(t, 5))
