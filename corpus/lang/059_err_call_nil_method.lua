-- error: calling a missing method names the method
local obj = {name = "obj"}
function obj:present() return self.name end
print(obj:present())
obj:missing(1)
print("not reached")
