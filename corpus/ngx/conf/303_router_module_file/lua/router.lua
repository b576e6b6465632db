local _M = {}
local routes = {}

function _M.add(method, pattern, handler)
    routes[#routes + 1] = { method = method, pattern = "^" .. pattern .. "$", handler = handler }
end

function _M.dispatch(method, uri)
    local allowed = {}
    for _, r in ipairs(routes) do
        local caps = { uri:match(r.pattern) }
        if #caps > 0 then
            if r.method == method then
                return r.handler(unpack(caps))
            end
            allowed[#allowed + 1] = r.method
        end
    end
    ngx.header.content_type = "application/json"
    if #allowed > 0 then
        ngx.header["Allow"] = table.concat(allowed, ", ")
        ngx.status = 405
        ngx.say(string.format('{"message":"method %s not allowed"}', method))
        return
    end
    ngx.status = 404
    ngx.say(string.format('{"message":"no route for %s %s"}', method, uri))
end

return _M
