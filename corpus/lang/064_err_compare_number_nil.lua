-- error: ordering comparison of number with nil
local limit
local n = 5
print(n < 10)
if n < limit then print("not reached") end
print("not reached")
