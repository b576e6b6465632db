-- __index as a function is called with the table and key
local calls = 0
local t = setmetatable({present = "here"}, {
  __index = function(tbl, key)
    calls = calls + 1
    return "computed:" .. key
  end
})
print(t.present)
print(t.absent)
print(t[1])
print(calls)
local squares = setmetatable({}, {__index = function(tbl, n)
  local v = n * n
  rawset(tbl, n, v)
  return v
end})
print(squares[4], squares[5])
print(rawget(squares, 4), rawget(squares, 6))
local default = setmetatable({}, {__index = function() return 0 end})
default.x = default.x + 5
print(default.x, default.y)
