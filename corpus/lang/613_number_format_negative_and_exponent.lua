-- negative numbers and exponent notation thresholds
for e = -8, 16, 3 do
  local v = 10^e
  print(e, v, -v, v * 1.5, -v / 3)
end
