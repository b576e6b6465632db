-- cjson as OpenResty ships it: the additions lua-cjson 2.1.0 does not have
-- (empty_array, array_mt, empty_array_mt, encode_empty_table_as_object,
-- decode_array_with_array_mt, encode_escape_forward_slash, precision up to
-- 16), cjson.safe's separate settings, and the usual gateway round trips.
local cjson = require "cjson"
local safe = require "cjson.safe"

print(cjson.encode(cjson.empty_array), cjson.encode({ cjson.empty_array }))
print(cjson.encode(setmetatable({}, cjson.empty_array_mt)))
print(cjson.encode({ list = setmetatable({}, cjson.empty_array_mt) }))
print(cjson.encode(setmetatable({ 1, 2, nil, 4 }, cjson.array_mt)))
print(cjson.encode(setmetatable({}, cjson.array_mt)))
print(cjson.encode(setmetatable({ 1, 2 }, { __index = function() return "x" end })))
print(type(cjson.empty_array), cjson.empty_array == safe.empty_array, cjson.empty_array ~= cjson.null)
print(type(cjson.array_mt), type(cjson.empty_array_mt), cjson.array_mt ~= cjson.empty_array_mt)

print(cjson.encode_empty_table_as_object())
print(cjson.encode_empty_table_as_object(false), cjson.encode({}), cjson.encode({ a = {} }))
print(cjson.encode_empty_table_as_object("on"), cjson.encode({}))
print(pcall(cjson.encode_empty_table_as_object, "maybe"))

print(cjson.decode_array_with_array_mt())
print(cjson.decode_array_with_array_mt(true))
local arr = cjson.decode("[1,2,3]")
print(getmetatable(arr) == cjson.array_mt, cjson.encode(arr))
local empty = cjson.decode('{"items":[],"obj":{}}')
print(getmetatable(empty.items) == cjson.array_mt, getmetatable(empty.obj))
print(cjson.encode(empty.items), cjson.encode(empty.obj))
arr[5] = 5
print(cjson.encode(arr))
print(cjson.decode_array_with_array_mt(false), getmetatable(cjson.decode("[]")))

print(cjson.encode_escape_forward_slash())
print(cjson.encode("http://a/b"))
print(cjson.encode_escape_forward_slash(false), cjson.encode("http://a/b"), cjson.encode({ "</script>" }))
cjson.encode_escape_forward_slash(true)

for _, p in ipairs({ 15, 16 }) do
  print(cjson.encode_number_precision(p), cjson.encode({ 0.1, 1 / 3, 2 ^ 53 + 2, 123456789.123456789 }))
end
print(pcall(cjson.encode_number_precision, 17))
cjson.encode_number_precision(14)

-- cjson.safe keeps its own settings and returns errors.
print(safe.encode_number_precision(), safe.encode_empty_table_as_object(), safe.encode({}))
safe.encode_empty_table_as_object(false)
print(safe.encode({}), cjson.encode({}))
print(safe.decode('{"a":'))
print(safe.encode({ [true] = 1 }))
print(select("#", safe.decode("[")), select("#", safe.decode("[1]")))
print(pcall(safe.encode_max_depth, "x"))

-- Gateway round trips.
local body = '{"user":{"id":42,"name":"Ada \\u00e9","roles":["admin","dev"]},"ok":true,"ratio":0.25,"none":null}'
local doc = cjson.decode(body)
print(doc.user.id, doc.user.name, #doc.user.roles, doc.user.roles[2], doc.ok, doc.ratio, doc.none == cjson.null)
doc.user.roles[#doc.user.roles + 1] = "ops"
print(cjson.encode(doc.user.roles), cjson.encode({ id = doc.user.id }))
local again = cjson.decode(cjson.encode(doc))
print(again.user.name == doc.user.name, again.ratio, #again.user.roles)
local ok, err = pcall(cjson.decode, '{"user": {"id": 42,}}')
print(ok, err)
print(pcall(function() return cjson.decode("{bad}") end))
print(cjson.encode({ msg = "line1\nline2\t\"quoted\" \\ back" }))
