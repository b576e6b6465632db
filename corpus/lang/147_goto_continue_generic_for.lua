-- goto continue in a generic for over ipairs
local words = {"keep", "skip", "keep2", "skip", "end"}
local kept = 0
for i, w in ipairs(words) do
  if w == "skip" then goto continue end
  kept = kept + 1
  print(i, w)
  ::continue::
end
print(kept)
