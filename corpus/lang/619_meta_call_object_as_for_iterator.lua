-- a table with __call works as a generic-for iterator
local counter = setmetatable({n = 0}, {__call = function(self, state, ctl)
  self.n = self.n + 1
  if ctl < state then return ctl + 1, self.n end
end})
for i, calls in counter, 3, 0 do print(i, calls) end
print(counter.n)
