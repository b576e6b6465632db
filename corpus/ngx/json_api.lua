-- json_api.lua: a JSON API handler: a document from a request header decoded with
-- cjson.safe, fields added, the result encoded with cjson (objects with several members:
-- their order differs between the arms, which the harness does not count).
local cjson = require "cjson"
local safe = require "cjson.safe"

local headers = ngx.req.get_headers()
local doc, err = safe.decode(headers["x-doc"] or "")
if doc == nil then
  ngx.status = ngx.HTTP_BAD_REQUEST
  ngx.say(cjson.encode({ error = "bad document", detail = err, method = ngx.req.get_method() }))
  ngx.log(ngx.WARN, "rejected: ", err)
  return
end
if type(doc) ~= "table" then
  doc = { value = doc }
end
doc.seen_by = "moonshift"
doc.agent = headers["user-agent"] or cjson.null
doc.count = type(doc.items) == "table" and #doc.items or 0
ngx.say(cjson.encode(doc))
ngx.say(cjson.encode({ 1, 2.5, "three", cjson.null, { nested = { deeper = { true, false } } } }))
ngx.log(ngx.INFO, "members: ", doc.count)
