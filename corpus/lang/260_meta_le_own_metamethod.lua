-- __le is preferred over the __lt fallback and its result becomes a boolean
local mt = {
  __le = function(a, b) return "yes" end,
  __lt = function(a, b) return nil end,
}
local a, b = setmetatable({}, mt), setmetatable({}, mt)
print(a <= b, a >= b, a < b, a > b)
print(not (a <= b))
