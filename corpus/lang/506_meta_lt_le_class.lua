-- __lt and __le used for ordering objects of the same class, including > and >=
local mt = {}
mt.__lt = function(a, b) return a.v < b.v end
mt.__le = function(a, b) return a.v <= b.v end
local function n(v) return setmetatable({v = v}, mt) end
local a, b, c = n(1), n(2), n(2)
print(a < b, b < a, b <= c, c >= b, a > b, b >= a)
print(pcall(function() return a < 1 end))
local list = {n(5), n(3), n(4), n(1)}
for i = 1, #list do
  for j = i + 1, #list do
    if list[j] < list[i] then list[i], list[j] = list[j], list[i] end
  end
end
print(list[1].v, list[2].v, list[3].v, list[4].v)
