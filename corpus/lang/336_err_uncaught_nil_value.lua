-- an uncaught error(nil)
print("start")
local function fail()
  error(nil)
end
fail()
