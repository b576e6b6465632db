ngx.ctx.trace = { "set:" .. ngx.var.tenant, "rewrite" }
