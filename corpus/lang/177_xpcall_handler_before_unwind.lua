-- the handler runs at the error point, before the failing function's state is gone
local stage = "none"
local function work()
  stage = "working"
  error("fail")
end
local function handler(m)
  local seen = stage
  stage = "handled"
  return seen .. " | " .. m
end
print(xpcall(work, handler))
print(stage)
