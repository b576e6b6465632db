-- error level 2 inside arithmetic, comparison, concat, call and unm metamethods blames the operator line
local function fail(name) return function() error(name .. " failed", 2) end end
local mt = {
  __add = fail("add"), __unm = fail("unm"), __concat = fail("concat"),
  __eq = fail("eq"), __lt = fail("lt"), __le = fail("le"), __call = fail("call"),
}
local a, b = setmetatable({}, mt), setmetatable({}, mt)
print(pcall(function() return a + 1 end))
print(pcall(function() return -a end))
print(pcall(function() return a .. "x" end))
print(pcall(function() return a == b end))
print(pcall(function() return a < b end))
print(pcall(function() return a <= b end))
print(pcall(function() return a() end))
