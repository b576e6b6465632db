local router = require "router"
require "routes"
router.dispatch(ngx.req.get_method(), ngx.var.uri)
