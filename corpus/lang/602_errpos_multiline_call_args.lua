-- the line reported for errors in arguments spread over several lines
local function f(...) return ... end
print(pcall(function()
  return f(
    1,
    2 + nil,
    3
  )
end))
print(pcall(function()
  return f(1,
           2)
         + {}
end))
print(pcall(function()
  local g
  return g(
    1
  )
end))
