-- pcall passes all results through and handles results containing nil
local function f(...) return ... end
print(pcall(f))
print(pcall(f, nil))
print(pcall(f, 1, nil, 3))
print(select('#', pcall(f, nil, nil)))
print(pcall(pcall, f, "x"))
print(pcall(pcall, error, "e"))
