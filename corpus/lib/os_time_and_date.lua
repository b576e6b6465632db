-- os.date with every strftime conversion on chosen times (epoch, leap days, ISO week edges, negative), *t, os.time with tables (normalised fields, numeric strings, missing fields), difftime, getenv
local t0 = 1764140605
print(os.date("!%Y-%m-%d %H:%M:%S", t0), os.date("%c", t0), os.date("!%c", t0))
for _, t in ipairs({ 0, 86399, 951782400, 951868800, 1709164800, -1, -86400 * 365, 253402300799, 1230768000, 1262304000, 1293840000, 1104537600 }) do
  print(t, os.date("!%a %A %b %B %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n %p %P %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%", t))
end
local d = os.date("!*t", t0)
print(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
print(os.time({ year = 2026, month = 11, day = 26, hour = 7, min = 3, sec = 25 }))
print(os.time({ year = 2026, month = 13, day = 1 }), os.time({ year = 2026, month = 2, day = 31, hour = 25 }), os.time({ year = 1970, month = 1, day = 1, hour = 0 }))
print(os.time({ year = "2020", month = "2", day = "29", hour = 0 }))
print(pcall(os.time, { year = 2020, month = 2 }), pcall(os.time, { year = 2020, day = 1 }), pcall(os.time, 5))
print(os.difftime(10, 4), os.difftime(5), pcall(os.difftime))
print(type(os.time()), type(os.clock()), os.time() > 1.7e9, os.date("%Y") + 0 > 2000)
print(os.date("!%Q %E %O %+ %", t0), os.date("!a%", t0), os.date("!%5d", t0))
print(pcall(os.date, {}), pcall(os.date, "%c", "x"))
print(os.getenv("MOONSHIFT_SURELY_UNSET_VARIABLE"), pcall(os.getenv, {}))
