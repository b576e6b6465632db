local gw = require "gateway"

gw.register({
    name = "request-termination", priority = 2,
    access = function()
        if ngx.var.http_x_maintenance == "on" then
            return 503, '{"message":"Service in maintenance"}'
        end
    end,
})

gw.register({
    name = "key-auth", priority = 1250,
    conf = { keys = { ["alice-key"] = "alice", ["bob-key"] = "bob" } },
    access = function(conf)
        local key = ngx.var.http_apikey
        local consumer = key and conf.keys[key]
        if not consumer then
            return 401, '{"message":"Invalid authentication credentials"}'
        end
        ngx.ctx.consumer = consumer
    end,
})

gw.register({
    name = "rate-limiting", priority = 910,
    conf = { limit = 3 },
    access = function(conf)
        local n = ngx.shared.gw_limits:incr(ngx.ctx.consumer, 1, 0)
        ngx.ctx.rl_remaining = conf.limit - n
        if n > conf.limit then
            return 429, string.format('{"message":"API rate limit exceeded","consumer":"%s"}', ngx.ctx.consumer)
        end
    end,
    header_filter = function()
        if ngx.ctx.rl_remaining then
            ngx.header["X-RateLimit-Remaining"] = math.max(ngx.ctx.rl_remaining, 0)
        end
    end,
})

gw.register({
    name = "buggy", priority = 500,
    access = function()
        if ngx.var.arg_bug then
            local cfg = nil
            return cfg.status
        end
    end,
})

gw.register({
    name = "response-transformer", priority = 800,
    header_filter = function()
        ngx.header["X-Gateway"] = "plugin-chain"
        ngx.header["X-Consumer"] = ngx.ctx.consumer
    end,
})

gw.register({
    name = "file-log", priority = 1,
    log = function()
        ngx.log(ngx.NOTICE, "served ", ngx.var.uri, " status=", ngx.status, " consumer=", tostring(ngx.ctx.consumer))
    end,
})

return true
