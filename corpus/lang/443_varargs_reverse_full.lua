-- fully reversing a vararg list through recursion with multiple returns
local function rev(n, ...)
  if n == 0 then return end
  local x = select(n, ...)
  return x, rev(n - 1, ...)
end
local function reverse(...) return rev(select('#', ...), ...) end
print(reverse(1, 2, 3, 4, 5))
print(reverse("a", nil, "c"))
print(select('#', reverse(nil, nil)))
