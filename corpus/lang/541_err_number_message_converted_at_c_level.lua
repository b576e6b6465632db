-- error(number) with a level naming pcall turns the number into a string message
local _, e = pcall(error, 42)
print(type(e), e)
_, e = pcall(error, 7.5, 1)
print(type(e), e)
_, e = pcall(error, 42, 0)
print(type(e), e)
_, e = pcall(function() error(42, 0) end)
print(type(e), e)
