-- String-heavy gateway work, per request: split a header on ',', parse a
-- query string (url-decoding), fill a template with gsub, format a log
-- line, and decode a 2 KB JSON body and encode a JSON response with cjson.
local cjson = require "cjson"
local accept = "text/html, application/xhtml+xml, application/xml;q=0.9, image/avif, image/webp, */*;q=0.8"
local query = "user=J%C3%BCrgen+M%C3%BCller&id=12345&tags=a%2Cb%2Cc&page=7&sort=desc&q=hello+world"
local tpl = "Hello ${user}, your order ${id} ships on page ${page} (${sort})"
local function unescape(s)
  return (s:gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end
local items = {}
for i = 1, 11 do
  items[i] = string.format(
    '{"id":%d,"sku":"SKU-%05d","name":"Item \\"%d\\" \\u00e9t\\u00e9","price":%.2f,"qty":%d,' ..
    '"tags":["new","sale","x%d"],"active":%s,"dims":{"w":%.1f,"h":%.1f,"unit":"cm"},"note":null}',
    i, i * 37, i, i * 3.25, i % 5, i, i % 2 == 0 and "true" or "false", i * 1.5, i * 2.5)
end
local body = '{"status":"ok","page":{"number":3,"size":11,"total":1234},"items":[' ..
  table.concat(items, ",") .. '],"links":{"self":"/api/v1/items?page=3","next":"/api/v1/items?page=4"}}'
local total = 0
for i = 1, 4000 do
  local n = 0
  for part in accept:gmatch("([^,]+)") do
    local mime = part:match("^%s*([^;%s]+)")
    if mime then n = n + #mime end
  end
  local args = {}
  for k, v in query:gmatch("([^&=]+)=([^&]*)") do args[k] = unescape(v) end
  local greeting = tpl:gsub("%${(%w+)}", args)
  local doc = cjson.decode(body)
  local response = cjson.encode({ greeting = greeting, count = #doc.items, first = doc.items[1], page = doc.page })
  local line = string.format('%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" %.3f',
    "10.0.0." .. (i % 256), "26/Nov/2026:07:03:25 +0000", "GET", "/api/v1/items?id=" .. i,
    200, #response, args.user, i / 1000)
  total = total + n + #greeting + #response + #line + #(line:upper()) + select(2, line:gsub("%d", ""))
end
print(#body, total)
