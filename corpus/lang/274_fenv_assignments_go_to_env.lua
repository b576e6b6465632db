-- global assignments in a function with a custom env stay in that env
local env = {}
local function set() newglobal = 42; counter = (counter or 0) + 1 end
setfenv(set, env)
set()
set()
print(env.newglobal, env.counter)
print(newglobal, counter, rawget(_G, "newglobal"))
