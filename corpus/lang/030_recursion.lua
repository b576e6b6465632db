-- recursive functions: factorial, fibonacci, mutual recursion
local function fact(n)
  if n <= 1 then return 1 end
  return n * fact(n - 1)
end
print(fact(5), fact(10), fact(20))
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
print(fib(10), fib(20))
function is_even(n)
  if n == 0 then return true end
  return is_odd(n - 1)
end
function is_odd(n)
  if n == 0 then return false end
  return is_even(n - 1)
end
print(is_even(10), is_odd(7), is_even(3))
local function sum_to(n)
  if n == 0 then return 0 end
  return n + sum_to(n - 1)
end
print(sum_to(1000))
