-- closures over both generic-for variables through a custom iterator
local function range(n)
  return function(_, i) if i < n then return i + 1, (i + 1) * 2 end end, nil, 0
end
local fs = {}
for i, d in range(4) do
  fs[#fs + 1] = function() return i, d end
  d = d + 1000
end
for k = 1, #fs do print(fs[k]()) end
