-- calling results of calls repeatedly: f()()()
local function mk(n)
  if n == 0 then return "done" end
  return function() return mk(n - 1) end
end
print(mk(3)()()())
local function adder(a) return function(b) return function(c) return a + b + c end end end
print(adder(1)(2)(3))
local t = {f = function() return {g = function() return {h = function(x) return x * 2 end} end} end}
print(t.f().g().h(21))
