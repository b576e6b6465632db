-- string.format: output kept on the stack, moved to the frame when a __tostring call
-- suspends the format (before, after and past the stack buffer's 1024 bytes).
local mt = {__tostring = function(t) return "<" .. t.name .. ">" end}
local a, b = setmetatable({name = "a"}, mt), setmetatable({name = string.rep("b", 300)}, mt)
print(string.format("%s", a))
print(string.format("x%sy%sz", a, b))
print(string.format(string.rep("p", 250) .. "%s|%5.1f|%s|%d", a, 3.14159, b, 42))
print(string.format(string.rep("q", 300) .. "%s|%s", b, a))
print(string.format(string.rep("r", 1000) .. "%s|%5.1f|%s|%d", a, 3.14159, b, 42))
print(string.format(string.rep("s", 1100) .. "%s|%s", b, a))
print(#string.format("%s%s%s%s", string.rep("t", 700), b, string.rep("u", 700), a))
print(string.format("%-10s|%10s|", a, "s"))
print(string.format("%.2f %.3f %.0f %5.2f %-8.2f| %d %d", 53.75, 1e15/8, 2.5, 1.005, 7.125, -4294967296, 9007199254740993))
print(pcall(string.format, "%s", setmetatable({}, {__tostring = function() return 1 end})))
