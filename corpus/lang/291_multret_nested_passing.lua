-- results pass through several levels of calls unchanged
local function base() return 1, nil, 3, nil end
local function l1() return base() end
local function l2() return l1() end
local function l3(...) return ... end
print(select('#', l2()))
print(l3(l2()))
print(select('#', l3(l2(), 0)))
print(l3(l3(l3("x", "y"))))
