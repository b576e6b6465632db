-- recursive functions peeling one vararg at a time, including nils
local function count_nils(first, ...)
  local rest = select('#', ...)
  local here = first == nil and 1 or 0
  if rest == 0 then return here end
  return here + count_nils(...)
end
print(count_nils(1, nil, 3, nil, nil))
print(count_nils(nil))
local function rev(...)
  if select('#', ...) == 0 then return end
  local first = ...
  return (function(...) return ... end)(rev(select(2, ...))), first
end
print(rev(1, 2, 3))
