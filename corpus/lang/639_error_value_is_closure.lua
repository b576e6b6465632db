-- a closure thrown as an error value can be called after catching it
local count = 0
local ok, f = pcall(function()
  local secret = 41
  error(function() count = count + 1; return secret + count end)
end)
print(ok, type(f), f(), f())
local ok2, g = pcall(error, print)
print(ok2, g == print)
