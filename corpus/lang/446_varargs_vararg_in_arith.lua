-- ... used inside expressions takes only the first value
local function f(...)
  local x = ... + 1
  local y = (...) .. "!"
  local z = -...
  local w = not ...
  return x, y, z, w, #{...}
end
print(f(5, 6, 7))
print(f("10", 2))
print(pcall(f))
