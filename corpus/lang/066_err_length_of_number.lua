-- error: length of a number names the local
local n = 42
print(#"42")
local len = #n
print("not reached", len)
