-- goto may jump to a label in an enclosing block
local n = 0
::retry::
n = n + 1
do
  do
    if n < 3 then goto retry end
  end
end
print(n)
