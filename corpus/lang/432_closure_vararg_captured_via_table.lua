-- varargs captured in a table for use by a closure
local function bind(f, ...)
  local args = {...}
  local n = select('#', ...)
  return function(...)
    local all = {}
    for i = 1, n do all[i] = args[i] end
    local m = select('#', ...)
    for i = 1, m do all[n + i] = (select(i, ...)) end
    return f(unpack(all, 1, n + m))
  end
end
local p = bind(print, "a", nil, "c")
p()
p(1, nil)
local add = bind(function(a, b, c) return a + b + c end, 1, 2)
print(add(3))
