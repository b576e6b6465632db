-- ... expands only as the last item of a table constructor
local function f(...)
  local a = {..., "x"}
  local b = {"x", ...}
  local c = {..., ...}
  return a[1], a[2], a[3], #b, #c
end
print(f(1, 2, 3))
print(f(1))
print(f())
