-- ... in the middle of a constructor gives one value, at the end gives all
local function f(...)
  local a = {..., "end"}
  local b = {"start", ...}
  local c = {..., ...}
  local d = {(...)}
  print(#a, a[1], a[2], a[3])
  print(#b, b[1], b[2], b[3], b[4])
  print(#c, c[1], c[2], c[3], c[4])
  print(#d, d[1], d[2])
end
f(1, 2, 3)
f("x")
