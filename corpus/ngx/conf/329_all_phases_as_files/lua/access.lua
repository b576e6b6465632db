local trace = ngx.ctx.trace
trace[#trace + 1] = "access"
if ngx.var.http_x_fail == "access" then
    error("access check failed for tenant " .. ngx.var.tenant)
end
if ngx.var.tenant == "blocked" then
    return ngx.exit(403)
end
