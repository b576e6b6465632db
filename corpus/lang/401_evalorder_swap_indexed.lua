-- a[i], a[j] = a[j], a[i] swaps, including i == j and computed indexes
local a = {10, 20, 30, 40, 50}
local function show() print(a[1], a[2], a[3], a[4], a[5]) end
a[1], a[5] = a[5], a[1]
show()
local i, j = 2, 2
a[i], a[j] = a[j] + 1, a[i] + 100
show()
local k = 3
a[k], a[k + 1] = a[k + 1], a[k]
show()
for n = 1, 2 do
  a[n], a[6 - n] = a[6 - n], a[n]
end
show()
