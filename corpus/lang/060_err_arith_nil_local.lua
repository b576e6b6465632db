-- error: arithmetic on a nil local names the local
local count
local step = 1
print("start")
count = count + step
print("not reached")
