-- numeric strings coerce in arithmetic but not in equality or ordering
print("10" + 0 == 10, "10" == 10, pcall(function() return "10" < 5 end))
local s = "3"
local total = 0
for i = 1, s do total = total + i end
print(total)
print("2" * "3", "2" .. "3", "0x10" * 1)
