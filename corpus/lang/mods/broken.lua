-- a module whose loading fails
local t = nil
return t.field
