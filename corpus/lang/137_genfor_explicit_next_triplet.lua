-- for k, v in next, t do is the same as pairs
local t = {"x", "y", "z"}
local n, cat = 0, ""
for k, v in next, t do
  n = n + k
  cat = cat .. v
end
print(n, #cat)
for k, v in next, t, 2 do print(k, v) end
local f, s, c = pairs(t)
print(f == next, s == t, c)
