-- goto continue in numeric for, generic for, while and repeat
local s = ""
for i = 1, 6 do
  if i % 3 == 0 then goto c1 end
  s = s .. i
  ::c1::
end
for _, v in ipairs({"a", "b", "c", "d"}) do
  if v == "b" then goto c2 end
  s = s .. v
  ::c2::
end
local k = 0
while k < 5 do
  k = k + 1
  if k == 2 then goto c3 end
  s = s .. k
  ::c3::
end
local r = 0
repeat
  r = r + 1
  if r == 3 then goto c4 end
  s = s .. "r"
  ::c4::
until r >= 4
print(s)
