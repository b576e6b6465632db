-- functions with many named parameters receive positional args correctly
local function f(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20)
  return a1 + a20, a10, a11, a19
end
print(f(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20))
local t = {}
for i = 1, 30 do t[i] = i * 3 end
print(f(unpack(t)))
print(pcall(f, 1))
