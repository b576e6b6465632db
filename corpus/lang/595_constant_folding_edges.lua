-- expressions made only of constants give the same results as runtime arithmetic
print(2^53 + 1 - 2^53, 1/0 - 1/0 ~= 1/0 - 1/0, -(-2^63))
print("a" .. 1 .. 2, 1 .. "", 10 % 3.5, -7 % 0.5)
print(1 < 2, "a" < "b", not 1, not nil, 3 == 3.0)
local x = 2
print(2^53 + x - 2^53, 0.1 * 3, 0.1 + 0.1 + 0.1)
print(-2^2, (-2)^2, 2^-2, -(2^-2))
