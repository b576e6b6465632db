-- closures created in repeat loops whose until references a local captured by the closure
local cs = {}
local i = 0
repeat
  i = i + 1
  local hits = 0
  local f = function() hits = hits + 1; return hits end
  cs[i] = f
  f()
  if i == 2 then f() end
until hits >= 2 or i >= 5
print(i, cs[1](), cs[2](), cs[i]())
