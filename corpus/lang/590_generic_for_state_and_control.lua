-- generic for passes state and the previous control value to the iterator
local calls = {}
local function it(state, ctl)
  calls[#calls + 1] = state.name .. ":" .. tostring(ctl)
  if ctl >= 3 then return nil end
  return ctl + 1, ctl * 10
end
for a, b in it, {name = "s"}, 0 do
  calls[#calls + 1] = "body" .. a .. "/" .. b
end
for i = 1, #calls do print(calls[i]) end
