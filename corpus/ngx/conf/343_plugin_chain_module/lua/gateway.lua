local _M = {}
local plugins = {}

function _M.register(p)
    plugins[#plugins + 1] = p
    table.sort(plugins, function(a, b) return a.priority > b.priority end)
end

function _M.names()
    local t = {}
    for i, p in ipairs(plugins) do
        t[i] = p.name .. ":" .. p.priority
    end
    return table.concat(t, ",")
end

function _M.run(phase)
    for _, p in ipairs(plugins) do
        local fn = p[phase]
        if fn then
            local ok, status, body = pcall(fn, p.conf)
            if not ok then
                ngx.log(ngx.ERR, "[", p.name, "] ", phase, " error: ", status)
            elseif status then
                return status, body, p.name
            end
        end
    end
end

return _M
