-- modulo with huge, tiny and fractional operands follows a - floor(a/b)*b
print(1e20 % 3, 2^60 % 7, -2^60 % 7, 1e308 % 3, 5.3 % -2)
print(1e15 % 0.1, 12345678901234567 % 10, 0.1 % 0.01, 1 % 0.1)
print(2^53 % 3.5, -1e-300 % 1, 1e-300 % -1, 3.7 % -0.0)
print(-7 % 1e300, 7 % -1e300, -0.5 % 1e-300)
