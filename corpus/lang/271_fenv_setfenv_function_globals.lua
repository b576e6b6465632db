-- after setfenv, a function's globals resolve in the new table
x = "global x"
local function show() print(x, y) end
show()
setfenv(show, {print = print, x = "env x", y = "env y"})
show()
print(x, y)
