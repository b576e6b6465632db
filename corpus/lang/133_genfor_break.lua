-- break leaves a generic for early and later code still runs
local t = {"a", "b", "stop", "c"}
local seen = 0
for i, v in ipairs(t) do
  if v == "stop" then break end
  seen = seen + 1
end
print(seen)
for i, v in ipairs(t) do
  for j = 1, 10 do
    if j > i then break end
  end
  if i == 2 then break end
  print("outer", i, v)
end
