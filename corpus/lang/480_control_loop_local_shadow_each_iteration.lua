-- a local declared in a loop body starts fresh (nil) every iteration
local out = ""
for i = 1, 3 do
  local x
  out = out .. tostring(x) .. " "
  x = i
  local y = y
  out = out .. tostring(y) .. " "
end
print(out)
local k = 0
while k < 3 do
  k = k + 1
  local acc
  acc = (acc or 0) + k
  print(acc)
end
