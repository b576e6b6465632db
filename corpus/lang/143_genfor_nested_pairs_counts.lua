-- nested pairs loops over the same table are independent
local t = {a = 1, b = 2, c = 3}
local pairs_seen, equal = 0, 0
for k1 in pairs(t) do
  for k2 in pairs(t) do
    pairs_seen = pairs_seen + 1
    if k1 == k2 then equal = equal + 1 end
  end
end
print(pairs_seen, equal)
