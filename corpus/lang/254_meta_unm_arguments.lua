-- __unm receives the operand (twice in LuaJIT)
local n, first, second
local obj = setmetatable({}, {__unm = function(...) n = select('#', ...); first, second = ...; return "neg" end})
print(-obj)
print(n, first == obj, second == obj)
print(-setmetatable({}, getmetatable(obj)), n)
