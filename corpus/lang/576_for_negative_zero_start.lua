-- loop variables and locals holding negative zero keep their sign
for i = -0, 0 do print(i, 1/i) end
for i = 0, -0 do print(i, 1/i) end
local z = -0
print(z, 0 - 0, -z, z + 0, z * 1)
