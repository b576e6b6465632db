-- until can read a local of the repeat body, captured by a closure too
local i, fns = 0, {}
repeat
  i = i + 1
  local done = i >= 3
  fns[i] = function() return done end
until done
print(i, fns[1](), fns[2](), fns[3]())
