-- deeply nested parenthesized arithmetic expressions
local x = 2
local r = ((((((((((x + 1) * 2) - 3) / 3) + 4) * 5) - 6) / 7) + 8) * 9)
print(r)
local s = (x * (x + (x * (x + (x * (x + (x * (x + 1))))))))
print(s)
local t = -(-(-(-(-x))))
print(t, not not not not x)
print(((1 + 2) * (3 + 4)) - ((5 - 6) * (7 - 8)) + (((9))))
