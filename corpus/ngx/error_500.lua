-- error_500.lua: uncaught runtime errors. Before any output they give nginx's 500 page;
-- after output the response is cut short. Either way the error log has the message.
local kind = ngx.var.arg_kind

local function lookup(t, k)
  return t[k]
end

if kind == "index" then
  local missing = nil
  ngx.say(missing.field)
elseif kind == "arith" then
  local t = {}
  ngx.say(t + 1)
elseif kind == "call" then
  local f = ngx.var.arg_nothing
  f()
elseif kind == "concat" then
  local name = ngx.var.arg_name
  ngx.say("hello " .. name)
elseif kind == "late" then
  ngx.say("first line went out")
  ngx.say(lookup(nil, "x"))
elseif kind == "say_arg" then
  ngx.say("a function: ", lookup)
end
ngx.say("kind ", tostring(kind), " did not fail")
