if ngx.var.http_x_token ~= "ok" then
  ngx.log(ngx.WARN, "rejected")
  return ngx.exit(401)
end
ngx.ctx.user = "alice"
