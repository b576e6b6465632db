-- builder pattern chaining method calls with string literal arguments
local B = {}
B.__index = B
function B.new() return setmetatable({parts = {}}, B) end
function B:add(s) self.parts[#self.parts + 1] = s; return self end
function B:build()
  local out = ""
  for i = 1, #self.parts do out = out .. self.parts[i] end
  return out
end
print(B.new():add"a":add"b":add[[c]]:add("d"):build())
print(B.new():add"x":add{}.parts == nil)
