-- calling a method on a nil object reports indexing, not calling
local up
print(pcall(function() local obj; obj:method() end))
print(pcall(function() missing_object:method() end))
print(pcall(function() up:method() end))
print(pcall(function() local t = {}; t.child:method() end))
print(pcall(function() local s = 5; s:method() end))
