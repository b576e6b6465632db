-- table index is nil / NaN when assigning with such keys
print(pcall(function() local t = {}; t[nil] = 1 end))
print(pcall(function() local t = {}; local k = 0/0; t[k] = 1 end))
print(pcall(function() local t = {[nil] = 1} end))
print(pcall(function() return ({})[nil] end))
print(pcall(function() local k = 0/0; return ({})[k] end))
print(pcall(rawset, {}, nil, 1))
print(pcall(function() local t = {}; rawset(t, 0/0, 1) end))
