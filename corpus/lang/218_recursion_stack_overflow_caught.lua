-- unbounded recursion raises a catchable stack overflow and the program goes on
local function rec(n) return 1 + rec(n + 1) end
local ok, msg = pcall(rec, 1)
print(ok, type(msg))
local function rec2(n) return 1 + rec2(n + 1) end local _, want2 = pcall(function() error("stack overflow") end)
ok, msg = pcall(rec2, 1)
print(ok, msg == want2)
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(1000))
