-- numeric for with default step, explicit step and bounds evaluated once
for i = 1, 5 do
  print(i)
end
for i = 1, 10, 3 do
  print("step3", i)
end
local limit = 3
for i = 1, limit do
  limit = 10
  print("limit", i)
end
for i = 5, 5 do
  print("once", i)
end
local s = 0
for i = 1, 100 do s = s + i end
print(s)
