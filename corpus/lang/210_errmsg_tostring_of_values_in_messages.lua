-- type names used in error messages for each kind of value
local values = {nil, true, 1, {}, print}
local n = 0
for i = 1, 5 do
  local v = values[i]
  local ok, e = pcall(function() return v.x.y end)
  n = n + 1
  print(i, type(v), ok, e)
end
