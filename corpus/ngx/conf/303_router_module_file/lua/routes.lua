local router = require "router"
local users = require "handlers.users"

router.add("GET", "/api/v1/users", users.list)
router.add("POST", "/api/v1/users", users.create)
router.add("GET", "/api/v1/users/(%d+)", users.show)
router.add("GET", "/api/v1/ping", function() ngx.say("pong") end)

return true
