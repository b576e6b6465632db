-- loop conditions treat only nil and false as false; 0 and "" are true
local n = 0
while 0 do n = n + 1; if n > 2 then break end end
print(n)
n = 0
while "" do n = n + 1; if n > 1 then break end end
print(n)
while nil do print("never") end
while false do print("never") end
repeat n = n + 1 until 0
print(n)
if 0 then print("zero true") end
if not "" then else print("empty string true") end
