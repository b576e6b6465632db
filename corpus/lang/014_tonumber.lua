-- tonumber parses decimal, hex, exponent and rejects junk
print(tonumber("10"))
print(tonumber("  10  "))
print(tonumber("0x10"))
print(tonumber("0XfF"))
print(tonumber("1e2"))
print(tonumber("-3.5"))
print(tonumber(".5"))
print(tonumber("5."))
print(tonumber("abc"))
print(tonumber(""))
print(tonumber("1 2"))
print(tonumber("12abc"))
print(tonumber(42))
print(tonumber(nil))
print(tonumber(true))
print(tonumber("-0x10"))
print(tonumber("1e"))
-- Correct rounding of long hex and decimal texts (one rounding, ties to even)
for _, s in ipairs({ "0x200000000000011", "0x20000000000003", "0x1.000000000000081p0",
  "0x1.00000000000008p0", "0x1.8p-1074", "0x1p-1075", "0xFFFFFFFFFFFFFFFFFF", "0x.8", "0x8.",
  "1e23", "2.2250738585072011e-308", "0x", "0xp1", "0x1p", "1e+", " 0x10 " }) do
  local x = tonumber(s)
  print(s, x and string.format("%a", x))
end
