-- do return end in the middle of functions and loops
local function f(x)
  local out = {}
  for i = 1, 10 do
    out[#out + 1] = i
    if i == x then do return #out, out[#out] end end
  end
  return -1
end
print(f(3), f(20))
local function g()
  do return "early" end
end
print(g())
