-- args.lua: a calculator over query arguments: ngx.var.arg_*, tonumber, arithmetic,
-- a table of closures, and how ngx.say prints numbers.
local a = tonumber(ngx.var.arg_a)
local b = tonumber(ngx.var.arg_b)
local op = ngx.var.arg_op or "add"

if a == nil or b == nil then
  ngx.status = ngx.HTTP_BAD_REQUEST
  ngx.say("need numeric a and b, got ", tostring(ngx.var.arg_a), " and ", tostring(ngx.var.arg_b))
  return
end

local ops = {
  add = function(x, y) return x + y end,
  sub = function(x, y) return x - y end,
  mul = function(x, y) return x * y end,
  div = function(x, y) return x / y end,
  mod = function(x, y) return x % y end,
  pow = function(x, y) return x ^ y end,
}

local f = ops[op]
if f == nil then
  ngx.status = ngx.HTTP_BAD_REQUEST
  ngx.say("unknown op ", op)
  return
end

local r = f(a, b)
ngx.say(a, " ", op, " ", b, " = ", r)
ngx.say("as text: " .. r)
ngx.say("type: ", type(r), ", integral: ", r == r - r % 1)
ngx.say("args: ", ngx.var.args)
ngx.say("query_string: ", ngx.var.query_string)
ngx.say("request_uri: ", ngx.var.request_uri)
