-- an error() inside a metamethod reports the metamethod's line
local mt = {
  __index = function(t, k) error("no key " .. k) end,
  __newindex = function(t, k, v) error("frozen", 2) end,
  __lt = function() error({reason = "lt"}) end,
}
local t = setmetatable({}, mt)
print(pcall(function() return t.x end))
print(pcall(function() t.y = 1 end))
local ok, e = pcall(function() return t < t end)
print(ok, type(e) == "table" and e.reason)
ok, e = pcall(function() return setmetatable({}, mt) < t end)
print(ok, type(e) == "table" and e.reason)
