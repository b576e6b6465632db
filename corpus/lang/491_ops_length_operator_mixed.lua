-- # on strings, tables with sequences, and error for other types
print(#"", #"abc", #"a\0b", #("x" .. "yz"))
print(#{}, #{1, 2, 3}, #{nil}, #{n = 1})
local t = {}
for i = 1, 10 do t[i] = i end
print(#t)
print(pcall(function() return #5 end))
print(pcall(function() return #nil end))
print(pcall(function() local b = true; return #b end))
