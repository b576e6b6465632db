-- a collection whose mark stack overflows (one table with 9000 table
-- children): every child is still traced, and weak tables among them are
-- cleared once and correctly
local big = {}
for i = 1, 9000 do
  local w = setmetatable({}, { __mode = "v" })
  w[1] = {}
  w[2] = big
  big[i] = w
end
collectgarbage()
collectgarbage()
local cleared, kept = 0, 0
for i = 1, #big do
  if big[i][1] == nil then cleared = cleared + 1 end
  if big[i][2] == big then kept = kept + 1 end
end
print(#big, cleared, kept)
