-- a generic for over a non-function value raises a call error
print(pcall(function() for x in 5 do end end))
print(pcall(function() for x in nil do end end))
print(pcall(function() local t = {} for x in t do end end))
print(pcall(function() for k, v in {1, 2} do end end))
