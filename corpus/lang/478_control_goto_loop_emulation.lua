-- backward goto emulating a loop with closures and conditionals
local i = 0
local acc = {}
::again::
i = i + 1
if i % 2 == 1 then
  acc[#acc + 1] = i
end
if i < 9 then goto again end
local s = ""
for k = 1, #acc do s = s .. acc[k] .. "," end
print(s, i)
