if ngx.arg[2] and ngx.ctx.trace then
    ngx.ctx.trace[#ngx.ctx.trace + 1] = "body"
end
