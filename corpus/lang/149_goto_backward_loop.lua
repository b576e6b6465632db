-- a backward goto forms a loop
local i = 1
local out = ""
::top::
if i <= 5 then
  out = out .. i
  i = i + 1
  goto top
end
print(out, i)
