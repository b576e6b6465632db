-- closures capturing a float loop variable
local fs = {}
for x = 0.5, 2, 0.5 do fs[#fs + 1] = function() return x end end
print(#fs, fs[1](), fs[2](), fs[3](), fs[4]())
local gs = {}
for x = 3, 1, -1 do gs[#gs + 1] = function() return x * x end end
print(gs[1](), gs[2](), gs[3]())
