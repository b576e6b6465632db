-- error: uncaught error whose object is a table
local answer = 42
print("about to throw a table", answer)
error({code = 1})
print("not reached")
