-- error position reflects the line of the error call inside multi-line functions
local function f(a,
                 b)
  local c = a
    + b
  if c > 2 then
    error("big " .. c)
  end
  return c
end
print(pcall(f, 1, 1))
print(pcall(f, 2, 3))
print(pcall(f, 1, nil))
