-- a runtime error inside a metamethod is reported at the metamethod's line
local mt = {}
mt.__add = function(a, b)
  local missing
  return missing + b
end
local v = setmetatable({}, mt)
print("adding")
print(v + 1)
