-- __call makes a table callable, receiving the table as first argument
local callable = setmetatable({name = "obj"}, {
  __call = function(self, a, b)
    return self.name .. ":" .. a, b
  end
})
print(callable("x", "y"))
local r1, r2 = callable(1, 2)
print(r1, r2)
local counter = setmetatable({n = 0}, {__call = function(self) self.n = self.n + 1; return self.n end})
counter()
counter()
print(counter(), counter.n)
local holder = {f = callable}
print(holder.f("h"))
print(type(callable))
