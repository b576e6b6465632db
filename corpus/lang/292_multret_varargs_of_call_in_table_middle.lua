-- nils returned by calls keep their slots in table constructors
local function f() return nil, "b" end
local t = {f()}
print(t[1], t[2])
local u = {"x", f()}
print(u[1], u[2], u[3])
local v = {f(), f()}
print(v[1], v[2], v[3])
