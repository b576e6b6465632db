-- assert returns all its arguments on success and errors with message on failure
print(assert(1, 2, 3))
print(assert("v", nil, false))
print(select('#', assert(true, nil, nil)))
local function f() return 10, 20 end
print(assert(f()))
print(pcall(assert, false))
print(pcall(assert, nil, "custom"))
print(select(2, pcall(assert, false, {1}))[1])
local ok, e = pcall(assert, false, 42)
print(ok, e, type(e))
