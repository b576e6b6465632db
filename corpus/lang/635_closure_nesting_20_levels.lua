-- twenty nested closures each adding its own captured value to its parent's result
local function build(depth, acc)
  local mine = depth
  if depth == 0 then return function() return acc end end
  local inner = build(depth - 1, acc + mine)
  return function() return inner() + mine end
end
print(build(20, 0)())
local f = function(a) return function(b) return function(c) return function(d) return function(e)
  return a .. b .. c .. d .. e end end end end end
print(f(1)(2)(3)(4)(5))
