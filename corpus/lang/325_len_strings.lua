-- # of strings counts bytes
print(#"", #"a", #"hello")
print(#("ab" .. "cd"))
print(#"\n\t", #"\0\0\0")
local s = "xyz"
print(#s + #s)
print(#(#s .. ""))
