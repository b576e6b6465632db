-- several closures share one upvalue
local function make_pair()
  local v = 0
  local function get() return v end
  local function set(x) v = x end
  local function inc() v = v + 1 end
  return get, set, inc
end
local get, set, inc = make_pair()
print(get())
set(10)
print(get())
inc()
inc()
print(get())
local get2, set2 = make_pair()
set2(99)
print(get(), get2())
local x = 1
local function readx() return x end
x = 2
print(readx())
local function writex() x = 3 end
writex()
print(x)
