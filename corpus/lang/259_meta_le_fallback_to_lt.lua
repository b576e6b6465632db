-- without __le, a <= b is computed as not (b < a)
local log = ""
local mt = {__lt = function(a, b) log = log .. a.n .. "<" .. b.n .. " "; return a.n < b.n end}
local one = setmetatable({n = 1}, mt)
local two = setmetatable({n = 2}, mt)
print(one <= two, two <= one, one >= two, one <= one)
print(log)
