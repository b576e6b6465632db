-- errors raised by a generic-for iterator propagate to pcall
local function iter(limit)
  local i = 0
  return function()
    i = i + 1
    if i > limit then error("iterator exhausted at " .. i, 0) end
    return i
  end
end
local seen = 0
print(pcall(function() for v in iter(3) do seen = seen + v end end))
print(seen)
