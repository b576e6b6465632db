local json = require "cjson"
ngx.header.content_type = "application/json"
ngx.say(json.encode({user = ngx.ctx.user}))
ngx.log(ngx.INFO, "served ", ngx.ctx.user)
