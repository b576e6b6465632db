-- an uncaught error with level 0 has no position
print("start")
local function fail()
  error("no position here", 0)
end
fail()
