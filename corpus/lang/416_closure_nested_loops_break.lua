-- closures capturing loop variables of nested loops, with break in the inner loop
local fns = {}
for i = 1, 3 do
  for j = 1, 5 do
    if j > i then break end
    fns[#fns + 1] = function() return i * 10 + j end
  end
end
local out = {}
for n = 1, #fns do out[n] = fns[n]() end
print(#fns, out[1], out[2], out[3], out[4], out[5], out[6])
