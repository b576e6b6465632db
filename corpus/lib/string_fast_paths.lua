-- The string functions' fast paths, on inputs that reach every branch:
-- upper/lower eight bytes at a time (every byte value, words and tails),
-- gsub of one single-byte class with plain text, and patterns whose first
-- consuming item sits inside captures or is a literal * + ? - ^.
local bytes = {}
for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
local all = table.concat(bytes)
local s = all .. all:reverse() .. "Hello, World! xyz@[`{ AZaz"
for i = 1, #s, 7 do
  print(table.concat({ s:sub(i, i + 12):upper():byte(1, -1) }, ","))
  print(table.concat({ s:sub(i, i + 20):lower():byte(1, -1) }, ","))
end

local line = '10.0.0.7 - - [26/Nov/2026:07:03:25 +0000] "GET /a?id=42 HTTP/1.1" 200 812'
for _, p in ipairs({ "%d", "%D", "[%d.]", "[^%s]", ".", "+", "%+", "-", "*", "?", "]", "%%", "%a", "x", "$" }) do
  for _, r in ipairs({ "", "#", "<>", "%%", "%0" }) do
    print(p, r, line:gsub(p, r))
    print(p, r, line:gsub(p, r, 3))
  end
end
print(("a+b+c"):gsub("+", " "))
print(("++"):gsub("+", "-", 1))
print(("no match"):gsub("%d", "x"))
print((""):gsub(".", "x"))

for _, p in ipairs({ "(%d+)", "((%a)%a*)", "()x", "(+)", "(-)(%d)", "(^)", "(%*+)", "([,;])", "(?)" }) do
  local subject = "ab, 12 x^y;*+ -3 ?z"
  print(p, subject:find(p), subject:match(p))
  local got = {}
  for a, b in subject:gmatch(p) do got[#got + 1] = tostring(a) .. "/" .. tostring(b) end
  print(p, table.concat(got, " "))
end
