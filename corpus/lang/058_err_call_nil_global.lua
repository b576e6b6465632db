-- error: calling an undefined global names the global
local function helper() return 1 end
print(helper())
undefined_function(1, 2)
print("not reached")
