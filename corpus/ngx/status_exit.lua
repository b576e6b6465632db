-- status_exit.lua: ngx.status and ngx.exit, from the main chunk and from a function,
-- before and after output.
local code = tonumber(ngx.var.arg_code)
local mode = ngx.var.arg_mode

if mode == "say_first" then
  ngx.say("partial output")
  -- After output, a status >= 300 cannot be sent any more: nginx logs an error and
  -- finishes the response as it is.
  ngx.exit(code)
end

if code == nil then
  ngx.say("no code given, status is ", ngx.status)
  ngx.exit(ngx.OK)
end

local function check(c)
  if c >= 400 then
    -- ends the whole handler, from inside a function
    ngx.exit(c)
  end
  return c
end

ngx.status = check(code)
ngx.say("status set to ", ngx.status)
ngx.exit(ngx.HTTP_OK)
ngx.say("never printed")
