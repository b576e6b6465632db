-- a counter closure mutates its own upvalue; separate closures are independent
local function make_counter()
  local n = 0
  return function()
    n = n + 1
    return n
  end
end
local c1 = make_counter()
local c2 = make_counter()
print(c1(), c1(), c1())
print(c2(), c2())
print(c1())
local function make_acc(start, step)
  return function()
    start = start + step
    return start
  end
end
local acc = make_acc(10, 0.5)
print(acc(), acc(), acc())
