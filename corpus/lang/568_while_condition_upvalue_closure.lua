-- while condition reads a local modified only through a closure
local running = true
local ticks = 0
local stop = function() running = false end
while running do
  ticks = ticks + 1
  if ticks == 4 then stop() end
end
print(ticks, running)
local n = 10
local dec = function() n = n - 3; return n end
while dec() > 0 do end
print(n)
