-- strings built, dropped, collected and built again are equal and work as
-- table keys; long strings compare by content
local t = {}
for i = 1, 2000 do t["key" .. i] = i end
local long = ""
for i = 1, 60 do long = long .. "x" end
collectgarbage()
local sum = 0
for i = 1, 2000 do sum = sum + t["key" .. i] end
print(sum)
for i = 1, 5000 do local garbage = "tmp" .. i .. "!" end
collectgarbage()
print(t["key" .. 1999], t["key" .. 2001])
local a = "abc" .. "def"
collectgarbage()
print(a == "abcdef", #a)
local again = ""
for i = 1, 60 do again = again .. "x" end
print(long == again, #long)
