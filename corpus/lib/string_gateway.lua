-- String work a gateway does: split headers, parse query strings and cookies, trim, url-decode/encode, template substitution, log lines
local function split(s, sep)
  local out = {}
  for item in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do out[#out + 1] = item end
  return out
end
local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end
local accept = "text/html, application/json;q=0.9 ,  */*;q=0.8,,"
for i, part in ipairs(split(accept, ",")) do
  local mime, q = trim(part):match("^([^;]*);?q?=?([%d.]*)$")
  print(i, "[" .. trim(part) .. "]", mime, q)
end
local function unescape(s)
  return (s:gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end
local function escape(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end
local query = "name=J%C3%BCrgen+M%C3%BCller&tags=a%2Cb&empty=&flag&x=1&x=2"
for k, v in query:gmatch("([^&=]+)=?([^&]*)") do
  print(k, unescape(v), #v, escape(unescape(v)))
end
local cookie = "session=abc123; theme=dark;lang=en-US ;  path=/"
local jar = {}
for k, v in cookie:gmatch("%s*([^=;]+)=([^;]*)") do jar[trim(k)] = trim(v) end
print(jar.session, jar.theme, jar.lang, jar.path, jar[" path"])
local tpl = "Hello ${name}, you have ${count} new ${what}. ${missing}!"
local vars = { name = "Ada", count = 3, what = "messages" }
print((tpl:gsub("%${(%w+)}", vars)))
print(tpl:gsub("%${(%w+)}", function(k) return vars[k] and tostring(vars[k]):upper() end))
print(string.format('%s - - [%s] "%s %s HTTP/%.1f" %d %d %.3f "%s"',
  "10.0.0.1", "26/Nov/2026:07:03:25 +0000", "GET", "/api/v1/items?id=42", 1.1, 200, 5123, 0.0127, "curl/8.0"))
print(string.format("%-10s|%10s|%-6d|%06.2f|%x|%5.1f%%", "left", "right", 42, 3.14159, 48879, 99.44))
local ip = "192.168.001.020"
local a, b, c, d = ip:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
print(a, b, c, d, tonumber(a) * 2^24 + tonumber(b) * 2^16 + tonumber(c) * 2^8 + tonumber(d))
print(("Content-Type: text/plain; charset=UTF-8"):lower():match("charset=([%w-]+)"))
print(("  x-forwarded-for: 1.2.3.4, 5.6.7.8  "):match("^%s*([%w-]+):%s*(.-)%s*$"))
print(("/api/v2/users/123/posts"):match("^/api/v(%d+)/(%w+)/(%d+)"))
print(("Bearer eyJhbGciOi.eyJzdWIiOi.sig"):find("^Bearer%s+"), ("Basic xyz"):find("Bearer", 1, true))
print(("%d"):rep(3, ","), ("ab"):reverse(), ("Hello World"):byte(-5, -1))
print(string.char(72, 105, 33), ("x"):len(), #("\0\0\0"), ("a\0b"):upper(), ("A\0B"):lower())
print(("key = value # comment"):match("^(%w+)%s*=%s*([^#]-)%s*#"))
print(("THE (quick) fox"):find("%f[%a]%a+"), ("THE (quick) fox"):gsub("%f[%w]%w+", "<%0>"))
print(("f(a(b)c) g(d)"):gsub("%b()", "[]"))
print(("hello"):find("l"), ("hello"):find("xyz"), ("hello"):find(""), ("hello"):find("", 10), ("hello"):match(".-(l+)(.*)"))
print(("abc"):sub(2), ("abc"):sub(-2), ("abc"):sub(0), ("abc"):sub(2, 1), ("abc"):sub(-100, 100), ("abc"):sub(3, -1))
print(string.format("%q", 'he said "hi"\n\tand left\\'))
print(string.format("%5.2s|%.0s|%s|%s|%s", "abcdef", "gone", nil, true, 12.5))
local defaults = { greeting = "hi" }
local layered = setmetatable({ name = "L" }, { __index = setmetatable({ place = "P" }, { __index = defaults }) })
print(("$name $place $greeting $none"):gsub("%$(%w+)", layered))
print(("$a $b"):gsub("%$(%w+)", setmetatable({}, { __index = function(t, k) return k == "a" and "A" or nil end })))
