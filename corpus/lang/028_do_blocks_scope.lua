-- do ... end blocks introduce scopes
local x = 1
do
  local x = 2
  do
    local x = 3
    print(x)
  end
  print(x)
end
print(x)
do
  x = 10
end
print(x)
local y
do
  local tmp = 5
  y = tmp * 2
end
print(y, tmp)
