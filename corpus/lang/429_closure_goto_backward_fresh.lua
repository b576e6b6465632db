-- goto backward creates a fresh local each time around
local fns = {}
local i = 1
::top::
local v = i * 7
fns[i] = function() v = v + 1; return v end
i = i + 1
if i <= 3 then goto top end
print(fns[1](), fns[2](), fns[3](), fns[1]())
