-- method calls on results of calls: f():m(), f().x:m(), chained methods
local proto = {}
proto.__index = proto
function proto:add(n) self.v = self.v + n; return self end
function proto:get() return self.v end
local function new(v) return setmetatable({v = v}, proto) end
print(new(1):add(2):add(3):get())
local function wrap(o) return {inner = o} end
print(wrap(new(10)).inner:add(5):get())
local function two() return new(100), new(200) end
print(two():get())
print((two()):add(1):get())
