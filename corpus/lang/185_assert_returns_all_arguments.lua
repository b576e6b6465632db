-- a passing assert returns all of its arguments
print(assert(1, 2, 3))
print(assert(true))
print(assert(0, nil, "x"))
print(select('#', assert("v", nil, nil)))
local a, b = assert("first", "second")
print(a, b)
print(assert(false == false, "unused"))
