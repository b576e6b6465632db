ngx.header["X-Tenant"] = ngx.var.tenant
local t = ngx.ctx.trace
if t then
    t[#t + 1] = "header"
    ngx.header["X-Trace-Len"] = #t
end
