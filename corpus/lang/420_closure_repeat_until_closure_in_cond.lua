-- the until condition calls a closure that captured a body local
local i = 0
local seen = {}
repeat
  i = i + 1
  local v = i * i
  local check = function() return v > 20 end
  seen[#seen + 1] = check
until check()
print(i)
for k = 1, #seen do print(k, seen[k]()) end
