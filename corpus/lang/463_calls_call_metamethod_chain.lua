-- __call on an object whose result is another callable object
local function mk(depth)
  return setmetatable({d = depth}, {__call = function(self, x)
    if self.d == 0 then return x end
    return mk(self.d - 1), x + self.d
  end})
end
local c = mk(2)
local c2, v1 = c(10)
local c3, v2 = c2(v1)
print(v1, v2, c3(v2))
print(pcall(setmetatable({}, {__call = 5})))
