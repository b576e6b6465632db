-- concatenating numbers uses the same formatting as tostring
print(1 .. "", 1.5 .. "", -0.0 .. "", 1e20 .. "", 2^63 .. "")
print(0.1 .. "|" .. 1/3 .. "|" .. 1/0 .. "|" .. -1/0)
print(10 / 2 .. "", 3 .. 4 .. 5)
print(pcall(function() return 1 .. nil end))
print(pcall(function() return {} .. "x" end))
print(pcall(function() return "x" .. true end))
