-- closures nested several levels capture from each enclosing function
local function outer(a)
  return function(b)
    return function(c)
      a = a + 1
      return a + b + c
    end
  end
end
local mid = outer(1)
local inner = mid(10)
print(inner(100))
print(inner(100))
local inner2 = mid(20)
print(inner2(200))
local function adder(n)
  return function(x) return x + n end
end
local add5 = adder(5)
local add10 = adder(10)
print(add5(1), add10(1), add5(add10(0)))
local function compose(f, g)
  return function(x) return f(g(x)) end
end
print(compose(add5, add10)(0))
