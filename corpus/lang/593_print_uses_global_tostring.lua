-- print converts its arguments through the current global tostring
local orig = tostring
local count = 0
tostring = function(v) count = count + 1; return "<" .. orig(v) .. ">" end
print(1, nil, "s", true)
tostring = orig
print(1, nil, count)
