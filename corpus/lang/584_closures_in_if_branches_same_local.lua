-- closures created in different if branches capture the same function-level local
local function make(flag)
  local v = 0
  local get
  if flag then
    get = function() v = v + 1; return v end
  else
    get = function() v = v - 1; return v end
  end
  local peek = function() return v end
  return get, peek
end
local g1, p1 = make(true)
local g2, p2 = make(false)
g1(); g1(); g2()
print(p1(), p2())
