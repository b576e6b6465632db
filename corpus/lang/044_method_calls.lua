-- method call syntax passes the object as self
local obj = {value = 10}
function obj:get() return self.value end
function obj:add(x) self.value = self.value + x; return self end
function obj.static(x) return x * 2 end
print(obj:get())
obj:add(5)
print(obj:get())
print(obj:add(1):add(2):get())
print(obj.get(obj))
print(obj.static(21))
local other = {value = 99, get = obj.get}
print(other:get())
local counter = {n = 0}
function counter:inc() self.n = self.n + 1 end
counter:inc()
counter:inc()
print(counter.n)
local s = {inner = {name = "inner"}}
function s.inner:hello(greet) return greet .. ", " .. self.name end
print(s.inner:hello("hi"))
