-- locals shadowing builtin names (print, type, select, pairs) work as normal variables
local realprint = print
local print = function(...) realprint("P:", ...) end
print("x")
local type = "shadowed"
realprint(type)
do
  local select = function() return "mine" end
  realprint(select('#', 1, 2))
end
realprint(select('#', 1, 2))
local pairs = nil
realprint(pcall(function() return pairs({}) end))
