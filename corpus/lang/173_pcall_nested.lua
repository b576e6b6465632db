-- an inner pcall catches its own error and the outer one sees success
local function inner() error("inner failure", 0) end
local function outer()
  local ok, e = pcall(inner)
  return "outer saw: " .. tostring(ok) .. " " .. e
end
print(pcall(outer))
print(pcall(pcall, inner))
print(pcall(pcall, pcall, error, "deep"))
