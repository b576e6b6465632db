-- walking varargs with select('#') and select(i) sees every nil
local function describe(...)
  local n = select('#', ...)
  local parts = ""
  for i = 1, n do
    parts = parts .. tostring((select(i, ...))) .. ";"
  end
  return n, parts
end
print(describe())
print(describe(nil))
print(describe(1, nil, "x", nil))
print(describe(false, true))
