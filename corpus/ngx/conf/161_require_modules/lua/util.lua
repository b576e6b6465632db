local M = {}
local calls = 0
function M.greet(who)
  calls = calls + 1
  return "hi " .. who
end
function M.calls() return calls end
function M.fail()
  local t = nil
  return t.field
end
return M
