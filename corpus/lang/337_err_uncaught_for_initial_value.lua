-- a non-numeric for initial value is an uncaught runtime error
local start = {}
print("loop next")
for i = start, 10 do
  print(i)
end
