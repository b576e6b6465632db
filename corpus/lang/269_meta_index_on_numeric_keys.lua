-- the key values that __index receives for numeric and string keys
local keys = {}
local t = setmetatable({}, {__index = function(_, k) keys[#keys + 1] = k; return nil end})
local _ = t[1], t[1.0], t[2^53], t[-0], t["1"]
for i = 1, #keys do print(i, keys[i], type(keys[i])) end
