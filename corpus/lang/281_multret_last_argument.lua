-- only a call in the last argument position expands to all results
local function three() return 1, 2, 3 end
print(three())
print(three(), 10)
print(10, three())
print(three(), three())
print((three()))
local function count(...) return select('#', ...) end
print(count(three()), count(three(), three()), count((three())))
