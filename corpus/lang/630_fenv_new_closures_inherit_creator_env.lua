-- closures created after setfenv on their creator inherit the new environment
local function factory()
  return function() return marker end
end
marker = "G"
local before = factory()
setfenv(factory, {marker = "E"})
local after = factory()
print(before(), after())
print(getfenv(after).marker, getfenv(before) == _G)
