-- String-heavy gateway work: split a header on ',', parse a query string
-- (url-decoding), fill a template with gsub, format a log line. (cjson
-- encode/decode joins this benchmark with the cjson library.)
local accept = "text/html, application/xhtml+xml, application/xml;q=0.9, image/avif, image/webp, */*;q=0.8"
local query = "user=J%C3%BCrgen+M%C3%BCller&id=12345&tags=a%2Cb%2Cc&page=7&sort=desc&q=hello+world"
local tpl = "Hello ${user}, your order ${id} ships on page ${page} (${sort})"
local function unescape(s)
  return (s:gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end
local total = 0
for i = 1, 4000 do
  local n = 0
  for part in accept:gmatch("([^,]+)") do
    local mime = part:match("^%s*([^;%s]+)")
    if mime then n = n + #mime end
  end
  local args = {}
  for k, v in query:gmatch("([^&=]+)=([^&]*)") do args[k] = unescape(v) end
  local body = tpl:gsub("%${(%w+)}", args)
  local line = string.format('%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" %.3f',
    "10.0.0." .. (i % 256), "26/Nov/2026:07:03:25 +0000", "GET", "/api/v1/items?id=" .. i,
    200, #body, args.user, i / 1000)
  total = total + n + #body + #line + #(line:upper()) + select(2, line:gsub("%d", ""))
end
print(total)
