-- closures in a loop over an outer local all share it
local total = 0
local adders = {}
for i = 1, 3 do adders[i] = function() total = total + i end end
for _, add in ipairs(adders) do add() end
adders[3]()
print(total)
