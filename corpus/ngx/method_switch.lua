-- method_switch.lua: dispatch on the request method through a table of closures.
local method = ngx.req.get_method()
local uri = ngx.var.uri
local hits = 0

local function count()
  hits = hits + 1
  return hits
end

local handlers = {}
handlers.GET = function()
  count()
  ngx.say("reading ", uri)
end
handlers.POST = function()
  count()
  ngx.status = ngx.HTTP_CREATED
  ngx.say("created ", uri)
end
handlers.DELETE = function()
  ngx.exit(ngx.HTTP_NO_CONTENT)
end
handlers.HEAD = handlers.GET

local h = handlers[method]
if h == nil then
  ngx.log(ngx.WARN, "method not allowed: ", method)
  ngx.exit(ngx.HTTP_NOT_ALLOWED)
end
h()
ngx.say("request_method var: ", ngx.var.request_method, ", handler calls: ", hits)
