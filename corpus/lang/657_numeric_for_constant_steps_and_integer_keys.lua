-- numeric for with constant steps (up, down, fractional, -0) and integer loop variables as table keys
local t = {}
for i = -3, 3 do t[i] = i * 10 end
for i = 3, -3, -1 do io_write = (io_write or "") .. tostring(t[i]) .. " " end
print(io_write)
local n = 0
for i = 1, 0, -0 do n = n + 1; if n > 5 then break end end
print("step -0", n)
for i = 1, 2, 0.5 do print("half", i, t[i]) end
for i = 2147483646, 2147483649 do t[i] = i end
print(t[2147483646], t[2147483647], t[2147483648], t[2147483649])
local a = {}
for i = 1, 10 do a[i] = i end
for i = 10, 1, -3 do a[i] = -a[i] end
print(#a, a[1], a[4], a[7], a[10], a[0], a[11])
for i = 0.5, 3 do a[i] = "f" .. i end
print(a[0.5], a[1.5], a[2.5], a[1])
local k = 0
for i = 5, 1 do k = k + 1 end
for i = 1, 5, -1 do k = k + 1 end
print("empty loops", k)
local z = -0
n = 0
for i = 1, 0, z do n = n + 1; if n > 5 then break end end
print("step -0 at run time", n)
n = 0
for i = 1, 3, 0/0 do n = n + 1; if n > 5 then break end end
print("nan step", n)
local nan = 0/0
n = 0
for i = 1, 3, nan do n = n + 1; if n > 5 then break end end
print("nan step at run time", n)
n = 0
for i = 3, 1, -(0/0) do n = n + 1; if n > 5 then break end end
print("negated nan step", n)
