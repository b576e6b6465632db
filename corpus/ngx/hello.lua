-- hello.lua: the README example. Greets by name (?name=), shows the method and a
-- request header, and answers 404 for paths it does not serve.
local name = ngx.var.arg_name
if name == nil then
  name = "world"
end

local uri = ngx.var.uri
if uri ~= "/" and uri ~= "/hello" then
  ngx.status = ngx.HTTP_NOT_FOUND
  ngx.say("no page at ", uri)
  return
end

ngx.say("hello, ", name, "!")
ngx.say("method: ", ngx.req.get_method())
local agent = ngx.var.http_user_agent
if agent then
  ngx.say("user agent: ", agent)
end
ngx.say("status: ", ngx.status)
