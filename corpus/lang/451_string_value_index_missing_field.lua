-- indexing a string value with a missing key yields nil (strings have an __index table)
local s = "hello"
print(s.nosuchfield)
print(("abc").foo == nil)
local function name(self) return self.name end
print(name("str"))
print(pcall(function() return (5).x end))
