-- error level 2 raised inside __index and __newindex blames the indexing line
local strict = setmetatable({}, {
  __index = function(t, k) error("undefined field " .. k, 2) end,
  __newindex = function(t, k) error("read-only " .. k, 2) end,
})
print(pcall(function()
  return strict.missing
end))
print(pcall(function()
  strict.x = 1
end))
