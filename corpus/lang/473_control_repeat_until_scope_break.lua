-- repeat-until with break inside nested if, and until using a body local
local i = 0
local log = ""
repeat
  i = i + 1
  local stop = i * i > 30
  if i == 3 then
    log = log .. "three "
  elseif i == 4 then
    if stop == false then log = log .. "four " end
  end
until stop
print(i, log)
local j = 0
repeat j = j + 1; if j == 2 then break end until false
print(j)
