-- reading a table with a NaN or nil key returns nil; writing errors
local t = {1, 2}
local nan = 0/0
print(t[nan], t[nil], rawget(t, nan))
print(pcall(function() t[nan] = 1 end))
print(pcall(function() t[nil] = 1 end))
print(pcall(rawset, t, nil, 1))
