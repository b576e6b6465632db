-- side effects before an error stay visible after pcall returns
local log = {}
local function work()
  log[#log + 1] = "start"
  local t = nil
  log[#log + 1] = "before"
  local x = t.field
  log[#log + 1] = "never"
end
local ok = pcall(work)
print(ok, #log, log[1], log[2], log[3])
local count = 0
for i = 1, 5 do
  pcall(function() count = count + i; if i % 2 == 0 then error("even") end end)
end
print(count)
