-- uncaught runtime error raised inside an __index function
local t = setmetatable({}, {__index = function(t, k)
  return k .. nil
end})
print("before")
print(t.key)
