-- tonumber of tostring output round-trips values exactly representable in 14 digits
local vals = {0.5, 0.25, 123.456, -0.001, 1e10, 3.25e-7, 42, -7.125}
for i = 1, #vals do
  local s = tostring(vals[i])
  print(s, tonumber(s) == vals[i])
end
print(tonumber(tostring(1/3)) == 1/3, tostring(tonumber("0.1")))
