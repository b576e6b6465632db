-- a closure captures varargs through a table since ... is not an upvalue
local function bind(f, ...)
  local args, n = {...}, select('#', ...)
  return function(...)
    local all = {}
    for i = 1, n do all[i] = args[i] end
    local m = select('#', ...)
    for i = 1, m do all[n + i] = (select(i, ...)) end
    return f(unpack(all, 1, n + m))
  end
end
local function show(...) return select('#', ...), ... end
print(bind(show, 1, nil)(3))
print(bind(show)())
print(bind(show, "a", "b")(nil, nil))
