-- error("x") gets the position of the line that called error
local function fail()
  error("boom")
end
print(pcall(fail))
print(pcall(function() error("inline") end))
local ok, msg = pcall(fail)
print(ok, type(msg), msg)
