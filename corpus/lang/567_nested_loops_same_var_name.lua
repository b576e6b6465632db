-- nested loops reusing the same variable name shadow correctly
local out = ""
for i = 1, 2 do
  for i = i * 10, i * 10 + 1 do
    out = out .. i .. " "
  end
  out = out .. "(" .. i .. ") "
end
print(out)
local fs = {}
for i = 1, 2 do
  for i = 5, 6 do fs[#fs + 1] = function() return i end end
  fs[#fs + 1] = function() return i end
end
print(fs[1](), fs[2](), fs[3](), fs[4](), fs[5](), fs[6]())
