-- an uncaught error with level 2 reports the caller's line
local function check(x)
  if type(x) ~= "number" then error("expected number, got " .. type(x), 2) end
  return x
end
local function caller()
  print("calling")
  return check("no")
end
print(caller())
