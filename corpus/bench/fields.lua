-- Table field access: reads and writes of named fields, 2 million rounds.
local p = { x = 1, y = 2, z = 3 }
for i = 1, 2000000 do
  p.x = p.y + p.z
  p.y = p.x - p.z
end
print(p.x, p.y)
