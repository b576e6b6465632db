-- ipairs sees elements appended during the traversal
local t = {1, 2, 3}
local seen = 0
for i, v in ipairs(t) do
  seen = seen + 1
  if #t < 6 then t[#t + 1] = v * 10 end
end
print(seen, #t, t[4], t[5], t[6])
local u = {1, 2, 3, 4}
local n = 0
for i, v in ipairs(u) do n = n + 1; u[i + 1] = nil end
print(n)
