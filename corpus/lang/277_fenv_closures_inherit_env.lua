-- closures created inside a function take its current environment
local function maker()
  return function() return tag end
end
tag = "global tag"
setfenv(maker, {tag = "maker tag"})
local c = maker()
print(c())
print(getfenv(c) == getfenv(maker))
local plain = function() return tag end
print(plain())
