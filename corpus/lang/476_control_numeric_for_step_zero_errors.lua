-- numeric for with non-number bounds raises errors naming the part
print(pcall(function() for i = "a", 2 do end end))
print(pcall(function() for i = 1, {} do end end))
print(pcall(function() for i = 1, 2, nil do end end))
local n = 0
for i = "1", "3" do n = n + i end
print(n)
for i = 1, 3, "1" do n = n + 1 end
print(n)
