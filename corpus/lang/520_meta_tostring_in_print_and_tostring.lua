-- __tostring used by print and tostring, its result must be a string
local obj = setmetatable({}, {__tostring = function(self) return "OBJ" end})
print(obj, tostring(obj))
local named = setmetatable({n = 3}, {__tostring = function(self) return "n=" .. self.n end})
print(named)
print(pcall(tostring, setmetatable({}, {__tostring = function() error("ts fail", 0) end})))
