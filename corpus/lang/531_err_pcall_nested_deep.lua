-- errors caught at different depths of nested pcall
local function level(n)
  if n == 0 then error("bottom", 0) end
  local ok, e = pcall(level, n - 1)
  if n % 2 == 0 then return "caught at " .. n .. ": " .. e end
  error(e .. "<" .. n, 0)
end
print(pcall(level, 1))
print(pcall(level, 2))
print(pcall(level, 5))
