-- string.format's common forms (%d, %i, %s, %.Nf with one digit of precision) on every kind of argument: numbers exact and not at N places, signs, zeros, huge, inf/nan, numeric strings, strings with NULs, values with __tostring; and the forms mixed with literal text and %% (not subnormals: DIVERGENCES.md)
local xs = { 0, -0.0, 1, -1, 3.7, -3.7, 0.5, 2.5, 53.75, 53.755, 1.25, 0.1, 100, 1e15, 1e17, 2^53 + 1, 2^63, -2^63, 1e300, 1/0, -1/0, 0/0 }
for _, x in ipairs(xs) do
  local row = {}
  for _, s in ipairs({ "%d", "%i", "%.0f", "%.1f", "%.2f", "%.3f", "%.9f", "%s" }) do
    row[#row + 1] = string.format(s, x)
  end
  print(unpack(row))
end
print(string.format("%d|%.2f|%s|%i", "42", "1.5", 7, " 0x10 "))
print(string.format("[%s]", "a\0b"), #string.format("%s%s", "a\0b", "\0"))
print(string.format("%s and %s", setmetatable({}, { __tostring = function() return "obj" end }), "str"))
print(string.format('{"id":%d,"name":"item-%d","price":%.2f}', 43, 43, 43 * 1.25))
print(string.format("%d%%|%.2f%%|%s%%", 5, 99.5, "x"), string.format("%.2f%d%s", 1, 2, "3"))
for _, call in ipairs({ { "%.2", 1 }, { "%.2x", 255 }, { "%" }, { "%d", "x" }, { "%.2f", {} }, { "%s" }, { "%d", nil }, { "%.2f" } }) do
  print(pcall(string.format, unpack(call, 1, 2)))
end
print(string.format("%.2f|%.2f|%.2f", 0.125, 0.375, 2.675), string.format("%.1f|%.1f", 0.25, 0.35))
