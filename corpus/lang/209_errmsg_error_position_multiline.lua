-- errors in multi-line expressions: which line is reported
local function f(t)
  return 1 +
    2 +
    t.missing
end
print(pcall(f, {}))
local function g(t)
  local x = t
    .a
    .b
  return x
end
print(pcall(g, {}))
