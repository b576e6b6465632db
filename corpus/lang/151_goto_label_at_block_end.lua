-- a label at the end of a block may follow locals that the goto skipped
do
  goto finish
  local x = 1
  print("skipped", x)
  ::finish::
end
print("after block")
for i = 1, 2 do
  if i == 1 then goto next end
  local y = i * 10
  print("y", y)
  ::next::
end
