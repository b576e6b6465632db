-- local function can refer to itself; local f = function cannot
local function down(n)
  if n == 0 then return "bottom" end
  return down(n - 1)
end
print(down(5))
recur = function() return "global version" end
local recur = function(n)
  if n == 0 then return "local base" end
  return recur(n - 1)
end
print(recur(1))
local function outer()
  local function helper(k) return k * 2 end
  return helper(21)
end
print(outer())
local gcd
gcd = function(a, b)
  if b == 0 then return a end
  return gcd(b, a % b)
end
print(gcd(48, 18), gcd(17, 5), gcd(100, 75))
