-- runtime errors inside closures called through pcall with arguments
local function make(field)
  return function(t, n) return t[field] + n end
end
local get = make("x")
print(pcall(get, {x = 1}, 2))
print(pcall(get, {}, 2))
print(pcall(get, nil, 2))
print(pcall(get, {x = "3"}, "4"))
print(pcall(get, {x = {}}, 1))
