-- a call returning nothing yields nil where one value is needed
local function none() end
print(none())
print(none(), "after")
print(select('#', none()))
local v = none()
print(v, type(v))
print(none() == nil)
local t = {none(), none()}
print(#t)
