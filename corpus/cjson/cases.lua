-- lua-cjson behaviour cases. Run by the real lua-cjson to record
-- cases.expected (scripts/record-cjson-fixtures), and by both moonshift arms
-- in tests/cjson.rs, which must print exactly the recorded text.
--
-- Only what lua-cjson 2.1.0 (Debian's) has is used here: OpenResty's
-- additions (and its wider encode_number_precision range) are covered by
-- corpus/lib/cjson_openresty.lua instead.
-- Objects with several keys are printed through `dump`, which sorts keys,
-- because their encoded order is the table's `next` order.
local cjson = require "cjson"
local safe = require "cjson.safe"

local function dump(v)
  local t = type(v)
  if t == "table" then
    local o = {}
    for k, x in pairs(v) do
      o[#o + 1] = dump(k) .. "=" .. dump(x)
    end
    table.sort(o)
    return "{" .. table.concat(o, ",") .. "}"
  elseif t == "number" then
    if v ~= v then return "nan" end
    return string.format("%.17g", v)
  elseif t == "string" then
    return string.format("%q", v)
  elseif v == cjson.null then
    return "null"
  end
  return tostring(v)
end

local function show(s)
  return (string.format("%q", s):gsub("\n", "n"))
end

local function decode(s)
  local ok, r = pcall(cjson.decode, s)
  print("decode", show(s), ok, ok and dump(r) or r)
end

local function encode(label, v)
  local ok, r = pcall(cjson.encode, v)
  print("encode", label, ok, r)
end

-- Park–Miller: exact in doubles, the same sequence everywhere.
local seed = 20261126
local function rand(n)
  seed = seed * 16807 % 2147483647
  return seed % n
end

-- Hand-picked texts.
local texts = {
  "", " ", "[1,]", "{,}", '{"a" 1}', '{"a":1 "b"}', "[1 2]", "1 2", '"a\\x"',
  '"\\u00e9\\ud83d\\ude00"', '"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"\\ud800x"',
  '"\\u12"', '"\\u+041"', '"\\uFFFF\\u07FF\\u0080\\u007F\\u0000"', '"abc', "0x10",
  "-0x10", "+1", "01", "-01", "-.5", ".5", "1.", "1e", "1.5e", "1e+", "1E+2", "-",
  "0x", "0X1P-2", "0x1.8p1", "0x.8", "Infinity", "-inf", "infinity", "inFinity",
  "[-infinit]", "nan", "NaN", "-nan", "nan(123)", "nan(", "tru", "nul", "trues",
  "1e400", "-1e400", "1e-400", "4.9e-324", "2.4703282292062328e-324",
  "2.2250738585072011e-308", "0.1e1", "123456789012345678901234567890",
  "9007199254740993", "-0", "0", "[[[[1]]]]", '"a\0b"', "\0\1", "1\0", "12\0 x",
  "[1\0 2", "\t\n\r 1 \f", "\v1", "[1,{\"a\":[true,false,null]}]", '{"a":1,"a":2}',
  '{"":""}', "[]", "{}", "[ ]", "{ }", "[null]", '{"a":null}', '"\\/\\b\\f\\n\\r\\t\\"\\\\"',
  '"raw \1 \31 \127 \255"', "\239\187\191 1", "[1,2]  x", "  [ 1 , 2 ]  ", "[,1]",
  "{\"a\":}", "{\"a\"}", "{1:2}", "[1:2]", "[true false]", "truefalse", "nulll",
  "-Infinity", "+Infinity", "+nan", "-0x", "0x1p99999", "1e", "[\"\\u00\"]",
}
for _, s in ipairs(texts) do
  decode(s)
end

-- Generated documents: random structure, whitespace, escapes and number
-- spellings; each also decoded cut short and with one byte replaced.
local spellings = {
  "0", "-0", "1", "-1", "12345", "1.5", "-0.25", "1e10", "1E-7", "2.5e+300",
  "1e308", "1.7976931348623157e308", "5e-324", "1e-320", "0.1", "123456789012345678",
  "3.14159265358979", "1e22", "9.999999999999999e22", "0.30000000000000004",
}
local escapes = { "\\n", "\\t", "\\\"", "\\\\", "\\/", "\\u0041", "\\u00e9", "\\u20ac", "\\ud834\\udd1e", "\\b", "\\f", "\\r" }
local plain = { "a", "b", "key", "x y", "é", "\127", "\1", "<tag>", "0", "" }
local function ws()
  local w = { "", "", "", " ", "\n", "\t", "\r\n  " }
  return w[rand(#w) + 1]
end
local function gen_string()
  local parts = {}
  for i = 1, rand(4) do
    if rand(3) == 0 then
      parts[i] = escapes[rand(#escapes) + 1]
    else
      parts[i] = plain[rand(#plain) + 1]
    end
  end
  return '"' .. table.concat(parts) .. '"'
end
local function gen(depth)
  local r = rand(depth > 3 and 5 or 8)
  if r == 0 then return spellings[rand(#spellings) + 1]
  elseif r == 1 then return gen_string()
  elseif r == 2 then return ({ "true", "false", "null" })[rand(3) + 1]
  elseif r == 3 then return tostring(rand(1000000) - 500000) .. "." .. tostring(rand(1000))
  elseif r == 4 then return "-" .. tostring(rand(100)) .. "e" .. tostring(rand(40) - 20)
  elseif r <= 5 then
    local items = {}
    for i = 1, rand(5) do items[i] = ws() .. gen(depth + 1) .. ws() end
    return "[" .. table.concat(items, ",") .. "]"
  else
    local items = {}
    for i = 1, rand(4) do items[i] = ws() .. gen_string() .. ws() .. ":" .. ws() .. gen(depth + 1) end
    return "{" .. ws() .. table.concat(items, ",") .. ws() .. "}"
  end
end
for _ = 1, 400 do
  local s = gen(0)
  decode(s)
  decode(s:sub(1, rand(#s + 1)))
  local i = rand(#s) + 1
  local b = string.char(({ 0, 34, 44, 58, 91, 93, 123, 125, 92, 48, 120, 32 })[rand(12) + 1])
  decode(s:sub(1, i - 1) .. b .. s:sub(i + 1))
end

-- Encoding: scalars, strings of every byte, arrays and holes, keys.
local bytes = {}
for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
encode("all bytes", table.concat(bytes))
local numbers = {
  0, -0.0, 1, -1, 0.1, 1 / 3, -2 / 3, 1e15, 1e16, 123456789012345, 1234567890123456,
  2 ^ 53, 2 ^ 53 + 1, -2 ^ 63, 2 ^ 64, 1e300, 1e-300, 5e-324, 2.2250738585072014e-308,
  1e21, 1e-5, 1e-4, 0.0001234, 123.456, 99999999999999.5, 0.5, 2.5, 1e100,
}
for _, x in ipairs(numbers) do encode(string.format("%.17g", x), x) end
for i = 1, 300 do
  -- A random double: a 53-bit mantissa scaled anywhere in the range.
  local m = rand(2 ^ 26) * 2 ^ 27 + rand(2 ^ 27)
  local x = math.ldexp(m, rand(2100) - 1126)
  if rand(2) == 0 then x = -x end
  encode(string.format("%.17g", x), x)
end
local values = {
  { "empty", {} }, { "array", { 1, 2, 3 } }, { "holes", { [1] = 1, [3] = 3 } },
  { "holes4", { [1] = 1, [4] = 4 } }, { "sparse", { [1] = 1, [20] = 1 } },
  { "sparse safe", { [10] = 1 } }, { "sparse 11", { [11] = 1 } }, { "key 0", { [0] = 1 } },
  { "key 1.5", { [1.5] = 1 } }, { "key -1", { [-1] = 1 } }, { "key true", { [true] = 1 } },
  { "key table", { [{}] = 1 } }, { "key 2^31", { [2 ^ 31] = 1 } }, { "key 1e300", { [1e300] = 1 } },
  { "key inf", { [1 / 0] = 1 } }, { "string key", { a = 1 } }, { "nested", { { {} } } },
  { "null", cjson.null }, { "array null", { cjson.null, cjson.null } }, { "nil", nil },
  { "true", true }, { "false", false }, { "function", print }, { "nan", 0 / 0 },
  { "inf", 1 / 0 }, { "-inf", -1 / 0 }, { "nan in table", { 0 / 0 } },
  { "slash", "a/b" }, { "utf8", "é€😀" }, { "deep", { { { { { { { { { { "x" } } } } } } } } } } },
  { "mixed", { 1, 2, x = 1 } }, { "array of objects", { { a = 1 }, { b = { c = { 1, 2 } } } } },
}
for _, p in ipairs(values) do encode(p[1], p[2]) end

-- Several keys: compared through a decode of the encoding.
for _ = 1, 100 do
  local ok, doc = pcall(cjson.decode, gen(0))
  if ok then
    local ok2, text = pcall(cjson.encode, doc)
    print("roundtrip", ok2, ok2 and dump(cjson.decode(text)) or text)
  end
end

-- Arguments and settings.
print(pcall(cjson.encode))
print(pcall(cjson.encode, 1, 2))
print(pcall(cjson.decode))
print(pcall(cjson.decode, {}))
print(pcall(cjson.decode, 12))
print(pcall(function() cjson.encode(1, 2) end))
print(pcall(function() cjson.decode({}) end))
print(pcall(function() cjson.decode("[") end))
print(pcall(function() local enc = cjson.encode; enc(print) end))
print(cjson.encode_sparse_array())
print(cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision())
print(cjson.encode_keep_buffer(), cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers())
print(pcall(cjson.encode_max_depth, 0))
print(pcall(cjson.encode_max_depth, "2"))
cjson.encode_max_depth(1000)
print(pcall(cjson.encode_sparse_array, "x"))
print(pcall(cjson.encode_sparse_array, false, -1))
print(pcall(cjson.encode_invalid_numbers, "x"))
print(pcall(cjson.encode_invalid_numbers, {}))
print(pcall(cjson.encode_max_depth, true))
print(pcall(cjson.encode_keep_buffer, "on"))
print(pcall(cjson.encode_keep_buffer, "off"))
print(pcall(cjson.encode_keep_buffer, 1))
for p = 1, 14 do
  cjson.encode_number_precision(p)
  print("precision", p, cjson.encode({ 1 / 3, 2 / 3, 123456.789, 1e-7, 1e20, 0.1, 100 }))
end
cjson.encode_number_precision(14)
print(cjson.encode_invalid_numbers(true), cjson.encode({ 0 / 0, 1 / 0, -1 / 0 }))
print(cjson.encode_invalid_numbers("null"), cjson.encode({ 0 / 0, 1 / 0, -1 / 0 }))
print(cjson.encode_invalid_numbers("off"), pcall(cjson.encode, { 1 / 0 }))
print(cjson.decode_invalid_numbers(false))
for _, s in ipairs({ "0x10", "Infinity", "01", "-", "+1", "nan", "-inf", "1", "-0.5" }) do decode(s) end
cjson.decode_invalid_numbers(true)
print(cjson.encode_sparse_array(true), cjson.encode({ [1] = 1, [20] = 1 }) == '{"1":1,"20":1}' or cjson.encode({ [1] = 1, [20] = 1 }) == '{"20":1,"1":1}')
print(cjson.encode_sparse_array(false, 0), #cjson.encode({ [1] = 1, [200] = 1 }))
print(cjson.encode_sparse_array(false, 3, 5), pcall(cjson.encode, { [1] = 1, [6] = 1 }))
print(pcall(cjson.encode, { [1] = 1, [2] = 1, [6] = 1 }))
cjson.encode_sparse_array(false, 2, 10)
local d = {}
local x = d
for _ = 1, 1001 do x[1] = {}; x = x[1] end
print(pcall(cjson.encode, d))
print(pcall(cjson.decode, string.rep("[", 1001) .. string.rep("]", 1001)))
print(pcall(cjson.decode, string.rep("[", 1000) .. string.rep("]", 1000)) == true)
print(cjson.encode_max_depth(3), pcall(cjson.encode, { { { {} } } }))
print(pcall(cjson.encode, { { {} } }))
print(cjson.decode_max_depth(2), pcall(cjson.decode, "[[[1]]]"))
print(dump(cjson.decode('{"a":[1]}')))
print(dump(cjson.decode('{"a":{"b":1}}')))
print(pcall(cjson.decode, '{"a":{"b":[1]}}'))
cjson.encode_max_depth(1000)
-- Past LuaJIT's C stack limit whatever the setting.
cjson.decode_max_depth(1000000)
print(pcall(cjson.decode, string.rep("[", 100000) .. string.rep("]", 100000)))
print(pcall(cjson.decode, string.rep('{"a":', 9000) .. "1" .. string.rep("}", 9000)))
print(type(cjson.decode(string.rep("[", 7998) .. string.rep("]", 7998))))
print(pcall(cjson.decode, string.rep('[{"a":', 5000)))
print(pcall(cjson.decode, string.rep('{"a":[', 5000)))
print(type(cjson.decode(string.rep('{"a":', 3999) .. "1" .. string.rep("}", 3999))))
cjson.decode_max_depth(1000)

-- cjson.safe: its own settings, errors returned.
print(type(cjson.null), cjson.decode("null") == cjson.null, cjson.decode("[null]")[1] == cjson.null, safe.null == cjson.null)
print(safe.decode("[1,"))
print(safe.encode(print))
print(safe.decode({}))
print(pcall(safe.decode))
print(pcall(safe.encode, 1, 2))
print(safe.encode_max_depth(), safe == cjson, cjson._NAME, safe._NAME, cjson._VERSION)
print(safe.encode_number_precision(3), cjson.encode_number_precision(), safe.encode(1 / 3), cjson.encode(1 / 3))
print(safe.decode("[1, 2, {\"a\": \"\\u00e9\"}]")[3].a, safe.decode("1e"))
