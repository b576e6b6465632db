-- closures created inside a table constructor in a loop share loop-body locals
local list = {}
for i = 1, 3 do
  local n = 0
  list[i] = {
    inc = function() n = n + i end,
    get = function() return n end,
  }
end
list[1].inc(); list[3].inc(); list[3].inc()
print(list[1].get(), list[2].get(), list[3].get())
