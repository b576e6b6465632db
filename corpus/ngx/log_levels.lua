-- log_levels.lua: ngx.log at every level, from a named local function and from the main
-- chunk, with numbers, booleans and nil among the arguments.
local levels = { ngx.EMERG, ngx.ALERT, ngx.CRIT, ngx.ERR, ngx.WARN, ngx.NOTICE, ngx.INFO, ngx.DEBUG }
local names = { "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug" }

local function report(level, name)
  ngx.log(level, "level ", name, " (", level, ") ok=", true, " missing=", nil)
end

local which = tonumber(ngx.var.arg_level)
if which then
  report(levels[which], names[which])
else
  for i = 1, #levels do
    report(levels[i], names[i])
  end
end
ngx.log(ngx.ERR, "from the main chunk, 355/113 is about ", 355 / 113)
ngx.log(ngx.STDERR, "stderr level, count ", #levels)
ngx.say("logged")
