-- \z skips the following whitespace including newlines
local s = "abc\z
           def"
print(s, #s)
local t = "x\z      y"
print(t)
local u = "1\z

   2"
print(u)
