-- loop control variables are named as locals in errors
print(pcall(function() for i = 1, 1 do return i.x end end))
print(pcall(function() for k, v in pairs({a = 1}) do return v() end end))
print(pcall(function() for _, v in ipairs({true}) do return v + 1 end end))
print(pcall(function() for i, v in ipairs({{}}) do return v .. i end end))
