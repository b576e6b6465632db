-- The gateway handler's body, as a loop: five items and the envelope
-- built with string.format, joined with table.concat.
local n = 0
for r = 1, 20000 do
  local id = r % 1000
  local items = {}
  for i = 1, 5 do
    items[i] = string.format('{"id":%d,"name":"item-%d","price":%.2f}', id + i, id + i, (id + i) * 1.25)
  end
  local body = string.format('{"client":"%s","uri":"%s","count":%d,"items":[%s]}\n',
    "client-6", "/api/items", #items, table.concat(items, ","))
  n = n + #body
end
print(n)
