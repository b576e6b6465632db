-- cjson on a 2 KB API document: decode it, touch a few fields, encode it
-- back (objects with several keys, arrays, strings with escapes, numbers).
local cjson = require "cjson"
local items = {}
for i = 1, 11 do
  items[i] = string.format(
    '{"id":%d,"sku":"SKU-%05d","name":"Item \\"%d\\" \\u00e9t\\u00e9","price":%.2f,"qty":%d,' ..
    '"tags":["new","sale","x%d"],"active":%s,"dims":{"w":%.1f,"h":%.1f,"unit":"cm"},"note":null}',
    i, i * 37, i, i * 3.25, i % 5, i, i % 2 == 0 and "true" or "false", i * 1.5, i * 2.5)
end
local doc = '{"status":"ok","page":{"number":3,"size":11,"total":1234},"items":[' ..
  table.concat(items, ",") .. '],"links":{"self":"/api/v1/items?page=3","next":"/api/v1/items?page=4"}}'
local total = 0
for i = 1, 2000 do
  local t = cjson.decode(doc)
  t.page.number = i
  total = total + #t.items + t.items[1].qty
  total = total + #cjson.encode(t)
end
print(#doc, total)
