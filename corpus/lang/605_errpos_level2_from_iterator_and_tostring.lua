-- error level 2 from a generic-for iterator and from a called helper in a method
local function it(s, c)
  if c >= 2 then error("iter stop", 2) end
  return c + 1
end
print(pcall(function()
  for v in it, nil, 0 do
  end
end))
local obj = {}
function obj:need(x) if x == nil then error("need x", 2) end return x end
print(pcall(function()
  local a = obj:need(1)
  local b = obj:need()
end))
