-- each numeric for iteration gets a fresh loop variable for closures
local fns = {}
for i = 1, 3 do fns[i] = function() return i end end
print(fns[1](), fns[2](), fns[3]())
local inc = {}
for i = 1, 2 do inc[i] = function() i = i + 10; return i end end
print(inc[1](), inc[1](), inc[2]())
