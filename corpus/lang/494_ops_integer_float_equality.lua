-- integral floats equal integers and print without a decimal point
print(1 == 1.0, 3/3, 2^2, 10/2)
print(0.5 + 0.5, 1e2, 1.5e1, 0x10, 0xff)
print(-0.0 + 0, 100 * 1.1, 3 * 0.1)
local t = {}
t[1.0] = "a"; t[2] = "b"
print(t[1], t[2.0], #t)
print(2^31, 2^31 + 0.5, -2^31 - 1)
