-- headers.lua: request headers through ngx.req.get_headers() and ngx.var.http_*,
-- including a header sent several times, and ngx.say of an array table.
local h = ngx.req.get_headers()
ngx.say("host: ", h.host, " (var: ", ngx.var.host, ")")
ngx.say("x-token: ", tostring(h["x-token"]))

local multi = h["x-multi"]
if type(multi) == "table" then
  ngx.say("x-multi has ", #multi, " values")
  local i = 1
  while i <= #multi do
    ngx.say("  ", i, ": ", multi[i])
    i = i + 1
  end
elseif multi then
  ngx.say("x-multi: ", multi)
else
  ngx.say("no x-multi")
end
ngx.say("all: ", multi)
ngx.say("joined by nginx: ", tostring(ngx.var.http_x_multi))

local raw = ngx.req.get_headers(0, true)
ngx.say("raw X-Token: ", tostring(raw["X-Token"]), ", lowercased: ", tostring(raw["x-token"]))
local few, truncated = ngx.req.get_headers(1)
ngx.say("first header only: ", few.host, " ", tostring(truncated))
