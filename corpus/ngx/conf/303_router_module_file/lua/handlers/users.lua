local cjson = require "cjson.safe"

local _M = {}
local users = { "alice", "bob" }

function _M.list()
    ngx.header.content_type = "application/json"
    ngx.say(cjson.encode(users))
end

function _M.show(id)
    local name = users[tonumber(id)]
    ngx.header.content_type = "application/json"
    if not name then
        ngx.status = 404
        ngx.say(string.format('{"message":"user %s not found"}', id))
        return
    end
    ngx.say(cjson.encode({ name = name }))
end

function _M.create()
    ngx.req.read_body()
    local data = cjson.decode(ngx.req.get_body_data() or "")
    ngx.header.content_type = "application/json"
    if type(data) ~= "table" or type(data.name) ~= "string" then
        ngx.status = 400
        ngx.say('{"message":"name required"}')
        return
    end
    users[#users + 1] = data.name
    ngx.status = 201
    ngx.header["X-Resource"] = "/api/v1/users/" .. #users
    ngx.say(cjson.encode({ id = #users }))
end

return _M
