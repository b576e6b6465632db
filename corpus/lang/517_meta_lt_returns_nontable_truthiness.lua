-- results of __lt/__le are converted to booleans
local mt = {
  __lt = function(a, b) return a.r end,
  __le = function(a, b) return nil end,
}
local x = setmetatable({r = 0}, mt)
local y = setmetatable({r = false}, mt)
print(x < y, y < x, x <= y, y >= x)
print(x > y, y > x)
