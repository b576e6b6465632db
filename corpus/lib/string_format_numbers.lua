-- string.format on doubles at the edges (±0, subnormals, huge, halves, inf/nan) in every float and integer conversion; errors at the caller's line
local xs = { 0, -0.0, 0.5, 1.5, 2.5, -2.5, 1/3, 2/3, 1e15, 1e16, 123456789012, 2^53, 2^63, -2^63, 2^64,
  1e-5, 1e-4, 0.1, 1e21, 1.7976931348623157e308, 1/0, -1/0, 0/0, 99.995, 0.0625 }
local specs = { "%d", "%5i", "%-+6d", "%x", "%#X", "%o", "%#o", "%u", "%e", "%.0e", "%#.0e", "%12.4E", "%f", "%.0f",
  "%#.0f", "%.10f", "%+.3f", "% f", "%010.2f", "%g", "%.0g", "%#g", "%.17g", "%G", "%-12g|", "%a", "%.2a", "%A", "%#.0a" }
for _, x in ipairs(xs) do
  local row = {}
  for _, s in ipairs(specs) do row[#row + 1] = string.format(s, x) end
  print(unpack(row))
end
-- Subnormals and the smallest normal outside %f (LuaJIT's %f of numbers below about 1e-150 prints garbage: DIVERGENCES.md)
for _, x in ipairs({ 5e-324, -5e-324, 2.2250738585072014e-308, 4.9e-320, 1e-310 }) do
  print(string.format("%e|%.3e|%g|%.17g|%a|%.3a|%A", x, x, x, x, x, x, x))
end
print(string.format("%c%c%c", 76, 117, 97), string.format("%5c|%-3c|", 120, 121))
print(string.format("%.3s|%10.3s|%-10s|", "abcdef", "abcdef", "ab"))
print(string.format("%%|%%%%|"), pcall(string.format, "%5%"))
print(pcall(function() return string.format("%d", "12abc") end))
print(pcall(function() return string.format("%d %d", 1) end))
print(pcall(function() return string.format("%z", 1) end))
print(pcall(function() return string.format("%10.123f", 1) end))
print(pcall(function() return ("x"):rep(-1), ("x"):rep(0), ("x"):rep(1, "sep") end))
print(pcall(function() return ("abc"):gsub("(b)", "%3") end))
print(pcall(function() return ("abc"):gsub("b", function() error("inner", 2) end) end))
print(select("#", pcall(function() return ("abc"):gsub("b", function() error({}) end) end)), type(select(2, pcall(function() return ("abc"):gsub("b", function() error({}) end) end))))
print(pcall(function() return ("abc"):find("[") end))
