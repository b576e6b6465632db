-- a newline right after the opening bracket is skipped, later ones kept
local s = [[
first
second]]
print(s)
print(#s)
local t = [==[

blank line first]==]
print(#t, t)
