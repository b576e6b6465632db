-- calling a missing method on an object
local obj = {name = "o"}
function obj:greet() return "hi " .. self.name end
print(obj:greet())
print(obj:missing())
