-- a closure captured before goto continue keeps its own iteration value
local fns = {}
for i = 1, 4 do
  local x = i
  fns[i] = function() return x end
  if i % 2 == 1 then goto continue end
  x = x * 100
  ::continue::
end
print(fns[1](), fns[2](), fns[3](), fns[4]())
