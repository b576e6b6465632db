-- functions are first-class values stored in tables and passed around
local ops = {
  add = function(a, b) return a + b end,
  sub = function(a, b) return a - b end,
  ["mul"] = function(a, b) return a * b end,
}
print(ops.add(2, 3), ops.sub(2, 3), ops["mul"](2, 3))
local function apply(f, x, y) return f(x, y) end
print(apply(ops.add, 10, 20), apply(ops.mul, 4, 5))
local function map(list, f)
  local out = {}
  for i = 1, #list do out[i] = f(list[i]) end
  return out
end
local sq = map({1, 2, 3, 4}, function(v) return v * v end)
print(#sq, sq[1], sq[2], sq[3], sq[4])
local ftab = {print}
ftab[1]("called through table")
local p = print
p("aliased print", 1)
function ops.div(a, b) return a / b end
print(ops.div(1, 4))
