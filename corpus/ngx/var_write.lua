-- var_write.lua: rewriting ngx.var.args changes what ngx.var.arg_* see. Writing a variable
-- nginx does not let you change is an error: before any output it gives the 500 page;
-- after output the response is cut short. Either way the error log has the message.
local early = ngx.var.http_x_early
if early then
  ngx.var[early] = "new value"
end

ngx.say("before: ", tostring(ngx.var.args), " x=", tostring(ngx.var.arg_x))
ngx.var.args = "x=rewritten&y=2"
ngx.say("after: ", ngx.var.args, " x=", ngx.var.arg_x, " y=", ngx.var.arg_y)
ngx.say("uri stays ", ngx.var.uri, ", request_uri stays ", ngx.var.request_uri)

local late = ngx.var.http_x_late
if late then
  ngx.var[late] = "new value"
end
ngx.say("done")
