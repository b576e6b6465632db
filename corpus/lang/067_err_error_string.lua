-- error: error("boom") adds position information
local function fail(msg)
  error(msg)
end
print("about to fail")
fail("boom")
print("not reached")
