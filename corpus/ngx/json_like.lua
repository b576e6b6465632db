-- json_like.lua: builds a JSON document by hand (no string library): recursion, tables
-- describing objects with ordered keys, arrays, numbers, booleans and null.
local NULL = {}

local function obj(keys, vals)
  return { kind = "object", keys = keys, vals = vals }
end

local function arr(items, n)
  return { kind = "array", items = items, n = n }
end

local encode

local function encode_list(items, n, keys)
  local out = ""
  for i = 1, n do
    if i > 1 then
      out = out .. ","
    end
    if keys then
      out = out .. "\"" .. keys[i] .. "\":"
    end
    out = out .. encode(items[i])
  end
  return out
end

encode = function(v)
  local t = type(v)
  if t == "number" then
    return tostring(v)
  elseif t == "boolean" then
    if v then return "true" else return "false" end
  elseif t == "string" then
    return "\"" .. v .. "\""
  elseif v == NULL or v == nil then
    return "null"
  elseif v.kind == "array" then
    return "[" .. encode_list(v.items, v.n, nil) .. "]"
  else
    return "{" .. encode_list(v.vals, #v.keys, v.keys) .. "}"
  end
end

local id = tonumber(ngx.var.arg_id) or 0
local name = ngx.var.arg_name or "anonymous"
local scores = {}
local total = 0
for i = 1, 4 do
  scores[i] = id * i + 0.5
  total = total + scores[i]
end

local doc = obj(
  { "id", "name", "scores", "mean", "ratio", "active", "tags", "owner", "meta" },
  {
    id,
    name,
    arr(scores, #scores),
    total / #scores,
    id / 3,
    id % 2 == 0,
    arr({ "lua", NULL, "wasm" }, 3),
    NULL,
    obj({ "method", "big", "tiny" }, { ngx.req.get_method(), 2 ^ 60, 1 / 2 ^ 20 }),
  }
)

ngx.print(encode(doc))
ngx.say()
ngx.say("length: ", #encode(doc))
