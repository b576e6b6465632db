-- pcall returns true followed by every result, nils included
print(pcall(function() end))
print(select('#', pcall(function() end)))
print(pcall(function() return nil end))
print(pcall(function() return 1, nil, 3 end))
print(select('#', pcall(function() return 1, nil, nil end)))
print(pcall(function(a, b) return b, a end, "x", "y"))
print(pcall(select, '#', 1, 2))
