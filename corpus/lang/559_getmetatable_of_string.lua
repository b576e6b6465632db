-- strings share a metatable whose __index is a table; other primitives have none
local mt = getmetatable("abc")
print(type(mt), type(mt and mt.__index))
print(getmetatable("x") == getmetatable(""))
print(getmetatable(1), getmetatable(nil), getmetatable(true), getmetatable(print))
