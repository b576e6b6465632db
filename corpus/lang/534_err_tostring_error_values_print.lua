-- printing caught error values of various types via tostring
local vals = {n = 5, 1.5, true, "s", nil, -0}
for i = 1, vals.n do
  local _, e = pcall(error, vals[i], 0)
  print(i, tostring(e))
end
local _, e = pcall(error, setmetatable({}, {__tostring = function() return "custom!" end}))
print(tostring(e))
