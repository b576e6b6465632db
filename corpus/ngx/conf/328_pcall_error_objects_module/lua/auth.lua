local errors = require "errors"

local ok, res = errors.try(function(token)
    if not token then
        errors.raise(401, "token required")
    end
    if token == "guest" then
        errors.raise(403, "guests may not enter")
    end
    if token == "crash" then
        local cfg = nil
        return cfg.users[token]
    end
    if token == "boom" then
        error("plain failure", 0)
    end
    return token
end, ngx.var.http_x_token)

if not ok then
    ngx.status = res.code
    ngx.header["X-Error-Code"] = res.code
    ngx.say(tostring(res))
    return ngx.exit(res.code)
end
ngx.ctx.user = res
