-- local function can recurse; local f = function cannot see itself and uses the global
function fact(n) return "global" end
local function lf(n) if n <= 1 then return 1 end return n * lf(n - 1) end
local fact = function(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(lf(5))
print(pcall(fact, 5))
