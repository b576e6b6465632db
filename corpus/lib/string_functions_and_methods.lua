-- every string function on missing and wrong arguments, __tostring through format, gsub with function/table/string replacements, gmatch loops, format layouts
local function show(...)
  local t = { ... }
  for i = 1, select("#", ...) do
    if type(t[i]) == "function" then t[i] = "a function" end
  end
  return unpack(t, 1, select("#", ...))
end
for _, f in ipairs{"len","sub","upper","lower","rep","reverse","byte","char","find","match","gmatch","gsub","format"} do
  print(f, show(pcall(string[f])))
  print(f, show(pcall(string[f], "x")))
  print(f, show(pcall(string[f], "x", "y")))
  print(f, show(pcall(string[f], {})))
end
print(pcall(string.format, "%s %s", setmetatable({}, {__tostring=function() return 1 end}), 2))
print(pcall(string.format, "%s|%5s|%-5s|%.2s", setmetatable({}, {__tostring=function() return "abc" end}), setmetatable({}, {__tostring=function() return "xy" end}), "a", setmetatable({}, {__tostring=function() return "xyz" end})))
print(pcall(string.format, "%s", setmetatable({}, {__tostring=function() error("boom") end})))
print(pcall(string.format, "%d", setmetatable({}, {__tostring=function() return "1" end})))
print(string.gsub("hello world", "(o)", function(c) return c:upper() end))
print(string.gsub("hello world", "l+", function(c) return nil end))
print(string.gsub("hello world", "(l)(l)", function(a, b) return b .. a .. "!" end))
print(pcall(string.gsub, "hello", "l", function() return {} end))
print(string.gsub("abc", "%w", setmetatable({}, {__index=function(t, k) return k:upper() end})))
print(string.gsub("a=1, b=2", "(%w+)=(%w+)", "%2=%1"))
print(string.gsub("abc", "", "%0-"))
print(string.gsub("hello", "()", "%1"))
print(string.gsub("hello", "l", "%"))
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do io = nil; print(k, v) end
for w in ("one two  three"):gmatch("%a+") do print(w) end
for p in ("abc"):gmatch("()") do print(p) end
print(("%d items"):format(3), ("x"):rep(3, "-"), ("Hello"):upper(), ("Hello"):byte(1, -1))
local parts = {}
for item in ("a,b,,c"):gmatch("([^,]*)") do parts[#parts+1] = "<"..item..">" end
print(#parts, parts[1], parts[2], parts[3], parts[4], parts[5])
print(pcall(string.rep, "x", 2^31))
print(pcall(string.rep, "abc", 1e9))
print(string.format("%5.1f|%-8.3e|%+g|% d|%#o|%#X|%.3d|%08.3f|%-+6d|", 3.14159, 1234.5, 2.5, 7, 8, 255, 5, -3.14159, 42))
print(string.format("%.2f|%.2f|%.0f|%.3f|%f|%.1f|%.2f|%.17f|%.2f|%8.2f|%-8.2f|%+.2f|%.2F|%.0f|%.2f", 53.75, 0.25, 3, 1/1024, 2^60, 2^-3, 2^80, 0.5, 1e22, 1.5, -1.25, 7.5, 12.5, 2^52 + 1, 123456789.01))
print(string.format("%d|%d|%d|%i|%d|%d|%d|%d", 0, -5, 123456789012, 2^63, -2^63, 3.7, -0.5, 2^53 + 1))
print(string.format("%g %g %g %g %g %g", 100000, 1e6, 1e-4, 1e-5, 123456789, 0.1))
print(string.format("%.3g|%#.3g|%#g|%g|%G", 1, 1, 1.5, 1e300, 1e-300))
print(string.format("%a %a %a %a %.1a %.0a %A", 0, -0.0, 5e-324, 2^-1022, 1.96875, 1.5, 255.5))
print(string.format("%e %.0e %#.0e %E", 0, 12345, 12345, -1e-300))
print(string.format("%x %X %o %u", 2^64, 2^63, -2^63, 1e30))
print(string.format("%d %d", 0/0, -(0/0)))
print(string.format("%x %u", 0/0, 1/0))
print(string.format("%5s|%-5c|%5c|", true, 65, 66))
