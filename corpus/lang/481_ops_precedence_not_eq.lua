-- precedence: not binds tighter than ==, unary minus looser than ^
local a, b = 1, 2
print(not a == b, not (a == b), not nil == true)
local x = 3
print(-x^2, (-x)^2, -x^-2)
print(2^-3^2, 2^(-3)^2, (2^-3)^2)
print(2^3^2, (2^3)^2)
print(-2^2 .. "", - - 2, not not nil)
