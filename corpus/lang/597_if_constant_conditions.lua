-- constant and literal conditions in if, while and repeat
if nil then print("no") elseif false then print("no") elseif 0 then print("zero is true") end
if "" then print("empty is true") end
if not nil then print("not nil") end
local n = 0
while 1 > 2 do n = n + 1 end
repeat n = n + 1 until true
repeat n = n + 1 until 1
print(n)
if {} then print("table true") else print("no") end
