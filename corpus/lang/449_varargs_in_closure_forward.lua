-- a closure cannot use the outer ..., so varargs are forwarded through a local table
local function outer(...)
  local n = select('#', ...)
  local saved = {...}
  return function(...)
    return n, select('#', ...), saved[1], saved[n], ...
  end
end
local f = outer("a", "b", nil, "d")
print(f())
print(f(1, 2))
print(outer()(nil))
