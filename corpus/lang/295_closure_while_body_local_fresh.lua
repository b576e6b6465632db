-- a local declared in a while body is a new variable each iteration
local fns, i = {}, 0
while i < 3 do
  i = i + 1
  local captured = i * 2
  fns[i] = function() return captured end
end
print(fns[1](), fns[2](), fns[3](), i)
