-- assigning to the control variable does not change the iteration
local t = {"a", "b", "c"}
for i, v in ipairs(t) do
  i = i * 100
  v = v .. "!"
  print(i, v)
end
print(t[1], t[2], t[3])
