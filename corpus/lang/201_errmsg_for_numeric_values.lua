-- numeric for requires numbers for the initial value, limit and step
print(pcall(function() for i = "a", 2 do end end))
print(pcall(function() for i = 1, {} do end end))
print(pcall(function() for i = 1, 2, nil do end end))
print(pcall(function() local x; for i = x, 2 do end end))
print(pcall(function() for i = 1, 2, "z" do end end))
