local trace = ngx.ctx.trace
trace[#trace + 1] = "content"
ngx.say("tenant=", ngx.var.tenant, " trace=", table.concat(trace, ","))
