-- the line reported for an index error inside a multi-line expression
local t = {a = {}}
print(pcall(function()
  return t
    .a
    .b
    .c
end))
print(pcall(function()
  local v = t.a
  [
  "x"
  ]
  .y
  return v
end))
