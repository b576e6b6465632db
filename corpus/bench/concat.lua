-- String concatenation: building many short strings from numbers and pieces.
local n = 0
for i = 1, 300000 do
  local s = "k" .. i .. ":" .. (i % 7)
  n = n + #s
end
print(n)
