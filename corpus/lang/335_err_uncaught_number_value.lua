-- an uncaught error with a number value gets a position
local function f()
  error(404)
end
print("calling")
f()
print("never")
