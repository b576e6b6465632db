-- # does not coerce numbers to strings
print(pcall(function() local n = 123; return #n end))
print(#("" .. 123))
print(#tostring(1.25))
print(pcall(function() return #(5) end))
print(#"12" + 1)
