-- the same label name may appear in sibling blocks
local out = ""
do
  goto l
  out = out .. "x"
  ::l::
  out = out .. "1"
end
do
  goto l
  out = out .. "y"
  ::l::
  out = out .. "2"
end
print(out)
