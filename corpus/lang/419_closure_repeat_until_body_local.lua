-- repeat-until condition sees body locals, closures made in body capture fresh locals
local fns = {}
local n = 0
repeat
  n = n + 1
  local done = n >= 4
  local mine = n * 3
  fns[n] = function() mine = mine + 1; return mine, done end
until done
print(#fns)
for i = 1, #fns do print(fns[i]()) end
print(fns[2]())
