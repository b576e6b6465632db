-- locals shadow globals; globals persist across functions
g = 1
print(g)
local g = 2
print(g)
do
  local g = 3
  print(g)
end
print(g)
function setglobal()
  h = "set in function"
end
print(h)
setglobal()
print(h)
local a, b, c = 1, 2
print(a, b, c)
undefined_global = nil
print(undefined_global, never_assigned)
