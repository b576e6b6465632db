-- a closure-based range iterator with positive and negative steps
local function range(a, b, step)
  step = step or 1
  local i = a - step
  return function()
    i = i + step
    if (step > 0 and i <= b) or (step < 0 and i >= b) then return i end
  end
end
local out = ""
for i in range(1, 5) do out = out .. i .. " " end
print(out)
out = ""
for i in range(10, 1, -3) do out = out .. i .. " " end
print(out)
for i in range(3, 1) do print("never") end
