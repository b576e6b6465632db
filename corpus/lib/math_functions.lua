-- every math function on ordinary and edge arguments (±0, ±inf, NaN, numeric strings)
local xs = {0, -0, 0.5, -0.5, 1, -1, 2, 3.7, -3.7, 10, 1e-300, 1e300, 1/0, -1/0, 0/0, "2.5", " 16 "}
local one = {"abs", "floor", "ceil", "sqrt", "exp", "log", "log10", "sin", "cos", "tan", "asin", "acos", "atan",
  "sinh", "cosh", "tanh", "deg", "rad", "modf", "frexp"}
for _, f in ipairs(one) do
  local line = f
  for _, x in ipairs(xs) do
    local a, b = math[f](x)
    line = line .. " " .. tostring(a) .. (b and ("/" .. tostring(b)) or "")
  end
  print(line)
end
local two = {"atan2", "pow", "fmod", "ldexp", "log", "min", "max"}
local ys = {0, -0, 1, -1, 2, 0.5, 1/0, -1/0, 0/0, 3}
for _, f in ipairs(two) do
  for _, x in ipairs({0, -0, 1, -2, 0.5, 1/0, 0/0}) do
    local line = f .. " " .. tostring(x) .. ":"
    for _, y in ipairs(ys) do line = line .. " " .. tostring(math[f](x, y)) end
    print(line)
  end
end
print(math.min(3, 1, 2), math.max(3, 1, 2), math.min(5), math.max("7", 2))
math.randomseed(1)
local r = {}
for i = 1, 10 do r[i] = math.random(100) end
print(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10])
math.randomseed(2^40 + 0.5)
print(math.random(), math.random(-5, 5), math.random(3.5), math.random(1, 2^40))
print(pcall(math.sin, "x"))
print(pcall(math.atan2, 1))
print(pcall(math.ldexp, 1, {}))
print(pcall(math.randomseed))
print(require("math") == math, math.huge, -math.huge, math.pi)
