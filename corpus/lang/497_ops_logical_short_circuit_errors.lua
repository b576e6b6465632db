-- short-circuit skips erroring operands
local t = nil
print(t and t.x, t == nil or t.x, false and (nil)())
print(pcall(function() return t or t.x end))
local ok = true
print(ok or error("no"), nil and error("no"))
print(pcall(function() return false or error("yes", 0) end))
