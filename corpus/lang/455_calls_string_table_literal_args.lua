-- call syntax with string and table literal arguments: f"x", f{...}, obj:m"x", f[[...]]
local function f(x) return type(x), x end
print(f"hello")
print(f[[long]])
local t, v = f{1, 2, 3}
print(t, #v)
local obj = {tag = "obj"}
function obj:m(x) return self.tag .. ":" .. (type(x) == "table" and #x or x) end
print(obj:m"str")
print(obj:m{4, 5})
local function curry(a) return function(b) return function(c) return a .. b .. c end end end
print(curry"a""b""c")
print(curry"x"[[y]]"z")
