-- method call results expand like function call results
local obj = {vals = {4, 5, 6}}
function obj:all() return unpack(self.vals) end
function obj:pair() return self.vals[1], self.vals[2] end
print(obj:all())
print(obj:pair(), obj:all())
print(select('#', obj:all()))
local t = {obj:pair(), obj:pair()}
print(#t, t[3])
