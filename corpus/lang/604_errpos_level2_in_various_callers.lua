-- error level 2 reports the caller line for calls from loops, conditions and arguments
local function chk(v) if not v then error("chk failed", 2) end return v end
print(pcall(function()
  for i = 1, 2 do
    chk(i < 2)
  end
end))
print(pcall(function()
  if chk(false) then return 1 end
end))
print(pcall(function()
  local x = (chk(nil))
  return x
end))
print(pcall(function()
  local t = {chk(1), chk(false)}
end))
