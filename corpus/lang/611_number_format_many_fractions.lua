-- %.14g-style formatting of many computed fractions and powers
local out = {}
for i = 1, 40 do
  out[#out + 1] = tostring(i / 7) .. " " .. tostring(2^i / 3) .. " " .. tostring(1 / i^3)
end
for i = 1, #out, 4 do print(out[i], out[i + 1], out[i + 2], out[i + 3]) end
