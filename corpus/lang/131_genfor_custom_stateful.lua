-- a stateful iterator keeps its position in upvalues
local function chars(s, n)
  local i = 0
  return function()
    i = i + 1
    if i <= n then return i, s .. i end
  end
end
for i, v in chars("x", 3) do print(i, v) end
local it = chars("y", 2)
print(it())
print(it())
print(it())
print(it())
