-- error values of every type pass through pcall unchanged
local f = function() end
local t = {}
local vals = {n = 7, nil, false, true, 42, "str", t, f}
for i = 1, vals.n do
  local ok, e = pcall(error, vals[i])
  print(i, ok, type(e), e == vals[i])
end
print(pcall(error))
print(select('#', pcall(error, nil)))
