-- hexadecimal floating-point literals with fractions and binary exponents
print(0x.8p1, 0x1P-2, 0xA.8, 0x1p4)
print(0x1.8, 0X10P+1, 0x.1)
local x = 0x1p10 + 0x.4
print(x, -0x2p-1)
