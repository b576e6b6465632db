-- goto continue inside nested while and repeat with locals declared after the goto
local out = ""
local i = 0
while i < 4 do
  i = i + 1
  local j = 0
  repeat
    j = j + 1
    if (i + j) % 2 == 0 then goto cont end
    do
      local s = i .. j
      out = out .. s .. " "
    end
    ::cont::
  until j >= 3
end
print(out)
