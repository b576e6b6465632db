-- the numeric for variable used directly as an operand: table keys (array
-- part, hash part, float keys), arithmetic, comparisons, concatenation,
-- closures capturing it, nested loops reading the outer variable
local t = {}
for i = 1, 5 do t[i] = i * 2 end
for i = 1, 3, 0.5 do t[i] = (t[i] or 0) + i end
local keys = {}
for k, v in pairs(t) do keys[#keys + 1] = k .. "=" .. v end
print(#keys)
print(t[1], t[1.5], t[2], t[2.5], t[3], t[4], t[5])
local fs = {}
for i = 10, 12 do fs[#fs + 1] = function() return i end end
print(fs[1](), fs[2](), fs[3]())
local grid = {}
for r = 1, 3 do
  for c = r, 3 do grid[#grid + 1] = r * 10 + c .. "" end
end
print(#grid, grid[1], grid[#grid])
for i = -0.0, 0 do print(i, 1 / i) end
for i = 2 ^ 53 - 3, 2 ^ 53 - 1 do print(i, i + 1) end
for i = 3, 1, -1 do print(i, i < 2, i == 2, -i, i % 2, i .. "x") end
local sum = 0
for i = 1, 100 do
  local i = i * 2
  sum = sum + i
end
print(sum)
