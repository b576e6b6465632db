-- a caught runtime error rethrown with its original position
local ok, e = pcall(function()
  local t = nil
  return t.field
end)
print(ok)
error(e, 0)
