local allow = ngx.var.acl_allow
local key = ngx.var.http_apikey
local consumer = key and CONSUMERS[key]
if allow == "" then
    ngx.ctx.consumer = consumer and consumer.name
    return
end
if not consumer then
    ngx.header["WWW-Authenticate"] = 'Key realm="acl"'
    return ngx.exit(401)
end
local allowed = {}
for g in allow:gmatch("[^,]+") do
    allowed[g] = true
end
for _, g in ipairs(consumer.groups) do
    if allowed[g] then
        ngx.ctx.consumer = consumer.name
        ngx.req.set_header("X-Consumer-Groups", table.concat(consumer.groups, ","))
        return
    end
end
ngx.status = 403
ngx.header.content_type = "application/json"
ngx.say('{"message":"You cannot consume this service"}')
return ngx.exit(403)
