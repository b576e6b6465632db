-- string.format with a constant format (compiled with a plan: abi::format_plan): every planned form on arguments of the plain form and not (numeric strings, negatives, inf/nan, tables with __tostring, nil, missing), through locals and upvalues holding the builtin, a replaced string.format, a __call to it, multiple results as the last argument, outputs longer than the plan's buffer, and the errors
local function show(ok, v) return tostring(ok) .. ":" .. tostring(v) end
local xs = { 0, -0.0, 7, -7.9, 0.125, 53.755, 2^53, 1e300, 1/0, -1/0, 0/0, "42", " 0x10 ", "1.5", "a\0b", "" }
for _, x in ipairs(xs) do
  print(show(pcall(string.format, "%d", x)), show(pcall(string.format, "%.2f", x)), show(pcall(string.format, "<%s>", x)))
  print(show(pcall(function() return string.format("[%i|%.0f|%.9f]", x, x, x) end)))
end
local obj = setmetatable({}, { __tostring = function() return "obj" end })
print(string.format("%s and %s%%", obj, "str"), string.format("%%%s%%", 1))
local fmt = string.format
local function via_upvalue(a, b) return fmt("%d-%s", a, b) end
print(fmt("%d:%d", 1, 2), via_upvalue(3, "x"), via_upvalue(4.5, 6))
local function two() return 3, 4 end
local function none() end
print(string.format("%d %d", two()), string.format("%d", two()), show(pcall(string.format, "%d %d", none())))
print(show(pcall(string.format, "%d %s", 1)), show(pcall(string.format, "%s")), show(pcall(string.format, "%d", nil)))
local callable = setmetatable({}, { __call = string.format })
print(show(pcall(callable, "%d", 5)), show(pcall(callable, "%s", "y")))
local saved = string.format
string.format = function(f, ...) return "replaced " .. f .. select("#", ...) end
print(string.format("%d", 1), fmt("%d", 1))
string.format = saved
local long = string.rep("x", 1020)
print(#string.format(long .. "%d|%s", 12345, "abc"), #string.format("%s%s", long, long), string.format("%s", long) == long)
print(string.format("%d items at %.2f each: %s", 3, 1.5, "ok") == "3 items at 1.50 each: ok")
for i = 1, 3 do
  print(string.format('{"id":%d,"name":"item-%d","price":%.2f}', i, i, i * 1.25))
end
