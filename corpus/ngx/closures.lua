-- closures.lua: counters and accumulators built from closures and upvalues, numeric for
-- with a step, repeat/until, and FizzBuzz up to ?n= (default 15).
local function counter(start, step)
  local n = start
  return function()
    n = n + step
    return n
  end
end

local function fizzbuzz(i)
  if i % 15 == 0 then
    return "FizzBuzz"
  elseif i % 3 == 0 then
    return "Fizz"
  elseif i % 5 == 0 then
    return "Buzz"
  end
  return i
end

local n = tonumber(ngx.var.arg_n) or 15
if n > 100 then
  ngx.exit(ngx.HTTP_BAD_REQUEST)
end

local line = {}
for i = 1, n do
  line[i] = fizzbuzz(i)
end
ngx.say(line)

local up, down = counter(0, 1), counter(100, -10)
local seen = ""
repeat
  local u, d = up(), down()
  seen = seen .. u .. "/" .. d .. " "
until d <= u * 10
ngx.say(seen)

local evens = ""
for i = n, 1, -2 do
  evens = evens .. i .. (i > 2 and "," or "")
end
ngx.say("down by two: ", evens)
