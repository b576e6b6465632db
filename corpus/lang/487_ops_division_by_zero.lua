-- division by zero produces inf, -inf and nan without error
print(1/0, -1/0, 0/0 ~= 0/0)
print(1/-0, 1/(0 * -1), -0 == 0)
local z = 0
print(5/z, -5/z, z/z ~= z/z)
print(1/(1/0), 1/(-1/0))
print(1/0 > 2^1023, -1/0 < -2^1023)
print((1/0) - (1/0) ~= 0)
