-- os.date with glibc strftime flags and widths (_ - 0 ^ #), E/O modifiers, unknown conversions, long and empty formats
local t0 = 1764140605
print(pcall(os.date, "", t0))
print(pcall(os.date, "!%p", t0))
print(pcall(os.date, string.rep("x", 255), t0))
print(pcall(os.date, string.rep("x", 256), t0))
print(pcall(os.date, "!%-d|%_d|%05d|%^a|%#a|%#Z|%^B|%10A|%-10A|%_5H|%-j|%3Y|%Ey|%Od|%#p|%^p|%-e|%010s", 1767225600))
print(pcall(os.date, "!%5", t0), pcall(os.date, "!%-", t0), pcall(os.date, "!%_5", t0))
