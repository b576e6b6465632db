-- a large constructor with 60 literal entries followed by varargs
local function build(...)
  return {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60,
    ...
  }
end
local t = build(61, 62, 63)
print(#t, t[1], t[60], t[61], t[63])
local src = {}
for i = 1, 100 do src[i] = -i end
local u = build(unpack(src))
print(#u, u[61], u[160])
