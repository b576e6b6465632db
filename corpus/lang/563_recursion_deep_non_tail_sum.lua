-- non-tail recursion 15000 deep and mutual recursion 5000 deep
local function sum(n) if n == 0 then return 0 end return n + sum(n - 1) end
print(sum(15000))
local isodd
local function iseven(n) if n == 0 then return true end local r = isodd(n - 1); return r end
function isodd(n) if n == 0 then return false end local r = iseven(n - 1); return r end
print(iseven(5000), isodd(4999))
