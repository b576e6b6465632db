-- numeric for with numeric strings: coerced or rejected?
print(pcall(function() local s = 0; for i = "1", 3 do s = s + i end; return s end))
print(pcall(function() local s = 0; for i = 1, "3" do s = s + i end; return s end))
print(pcall(function() local s = 0; for i = 1, 3, "1" do s = s + i end; return s end))
print(pcall(function() local s = 0; for i = " 0x2 ", "3.5" do s = s + i end; return s end))
print(pcall(function() for i = "1", 2, "0.5" do print(i, type(i)) end end))
