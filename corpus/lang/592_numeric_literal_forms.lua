-- numeric literal forms: hex integers, exponents, leading and trailing dots, huge values
print(0x10, 0XfF, 0xABCDEF, 0x0)
print(1e+2, 1E-2, .5, 5., 3e0)
print(00012, 1e308 * 10, 0x7fffffffffffffff)
print(123456789012, 0.1e1, 1.e1, 0xffffffffffffffffff)
