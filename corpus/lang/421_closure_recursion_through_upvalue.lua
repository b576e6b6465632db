-- recursion through an upvalue that is later replaced
local fact
fact = function(n) if n <= 1 then return 1 end return n * fact(n - 1) end
local f = fact
print(f(6))
fact = function(n) return 1000 end
print(f(6))
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20))
local even, odd
function even(n) if n == 0 then return true end return odd(n - 1) end
function odd(n) if n == 0 then return false end return even(n - 1) end
print(even(10), odd(7), even(7))
