-- method calls whose arguments are other method calls on the same object
local Stack = {}
Stack.__index = Stack
local function new() return setmetatable({n = 0}, Stack) end
function Stack:push(...) for i = 1, select('#', ...) do self.n = self.n + 1; self[self.n] = (select(i, ...)) end; return self.n end
function Stack:pop() local v = self[self.n]; self[self.n] = nil; self.n = self.n - 1; return v end
local s = new()
s:push(1, 2, 3)
print(s:push(s:pop(), s:pop(), s:pop()))
print(s[1], s[2], s[3], s.n)
print(s:push(s:pop() + s:pop()), s[1], s[2])
