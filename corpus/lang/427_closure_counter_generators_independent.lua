-- generator factories with per-instance state and a shared global-ish state
local total = 0
local function gen(step)
  local n = 0
  return function() n = n + step; total = total + step; return n end
end
local g1, g2 = gen(1), gen(10)
print(g1(), g2(), g1(), g2(), g1())
print(total)
local g3 = gen(-5)
print(g3(), g3(), total)
