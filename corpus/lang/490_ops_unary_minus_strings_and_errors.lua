-- unary minus on numbers, numeric strings and invalid operands
print(-"2", -"-2", -" 0x10 ", -"1e1")
print(pcall(function() return -"abc" end))
print(pcall(function() local t = {}; return -t end))
print(pcall(function() return -nil end))
local s = "5"
print(- -s, -(-s))
