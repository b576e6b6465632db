-- error: concatenating a table names the local
local list = {1, 2, 3}
print("len", #list)
local s = "items: " .. list
print("not reached", s)
