local t = ngx.ctx.trace
ngx.log(ngx.NOTICE, "tenant ", ngx.var.tenant, " status ", ngx.status, " trace ", t and table.concat(t, ",") or "none")
