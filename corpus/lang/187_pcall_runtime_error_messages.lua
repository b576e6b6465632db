-- runtime errors caught by pcall carry the position and the variable name
local function idx() local t = nil; return t.x end
local function call() local f = 5; f() end
local function arith() local s = {}; return s * 2 end
local function cat() local b = true; return "x" .. b end
print(pcall(idx))
print(pcall(call))
print(pcall(arith))
print(pcall(cat))
