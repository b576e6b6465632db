-- arithmetic on constants and temporaries has no variable name
print(pcall(function() return {} + 1 end))
print(pcall(function() return "abc" + 1 end))
print(pcall(function() local function f() end; return f() + 1 end))
print(pcall(function() local t = {}; return t[1] * 2 end))
print(pcall(function() local t = {{}}; return t[1] * 2 end))
print(pcall(function() return -{} end))
