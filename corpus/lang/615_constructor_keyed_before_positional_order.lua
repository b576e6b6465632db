-- a keyed entry written before a positional one is evaluated first
local log = ""
local function f(tag) log = log .. tag; return tag end
local t = {k = f("K"), f("P")}
print(log, t.k, t[1])
log = ""
local u = {f("1"), x = f("X"), f("2"), y = f("Y")}
print(log)
log = ""
local w = {[f("key")] = f("val"), f("pos")}
print(log)
