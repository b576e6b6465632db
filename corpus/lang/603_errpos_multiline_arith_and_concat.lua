-- errors in binary operators whose operands are on different lines
local n
print(pcall(function()
  return 1 +
    2 *
    n
end))
print(pcall(function()
  return "a" ..
    "b" ..
    n ..
    "c"
end))
print(pcall(function()
  return 1
    <
    "x"
end))
