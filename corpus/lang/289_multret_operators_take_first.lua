-- operators use only the first result of a call
local function two() return 10, 20 end
print(two() + 1)
print(two() .. "")
print(-two())
print(two() == 10)
print(not two())
if two() then print("truthy first") end
local t = {}
t[two()] = "k"
print(t[10], t[20])
