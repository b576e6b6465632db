-- a call's `(` on the line after its function is ambiguous in Lua 5.1
local f = print
local g = f
(f)("x")
