-- parameters are named as locals in errors
local function f(a, b) return a + b end
local function g(self) return self.x end
local function h(...) local first = ...; return first() end
print(pcall(f, 1))
print(pcall(f, nil, 1))
print(pcall(g))
print(pcall(h))
print(pcall(h, 3))
