-- a closure created inside a while condition captures outer and loop-modified locals
local limit, i, made = 4, 0, {}
while (function() made[#made + 1] = function() return i end; return i < limit end)() do
  i = i + 1
end
print(i, #made, made[1](), made[#made]())
local n = 0
repeat n = n + 1 until (function() return n * n >= 10 end)()
print(n)
