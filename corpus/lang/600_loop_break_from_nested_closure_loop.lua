-- break inside a loop inside a closure does not affect the enclosing loop
local log = ""
for i = 1, 3 do
  local f = function()
    for j = 1, 10 do
      if j > i then break end
      log = log .. j
    end
    return i
  end
  log = log .. "[" .. f() .. "]"
end
print(log)
