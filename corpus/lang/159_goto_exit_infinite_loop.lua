-- goto leaves a while true loop and a numeric for
local count = 0
while true do
  count = count + 1
  if count == 5 then goto out end
end
::out::
print(count)
local t = {}
for i = 1, 3 do
  t[i] = i
  if i == 3 then goto last end
end
::last::
print(#t)
