-- each pass of a goto loop declares a fresh local captured by closures
local fns = {}
local i = 1
::again::
do
  local v = i * 10
  fns[#fns + 1] = function() return v end
end
i = i + 1
if i <= 3 then goto again end
print(fns[1](), fns[2](), fns[3]())
