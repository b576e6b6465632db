-- % follows floor semantics with negative and fractional operands
print(7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(5.5 % 2, -5.5 % 2, 5.5 % -2, 0.3 % 0.1)
print(3 % 1/0, 3 % (1/0), -3 % (1/0), 3 % (-1/0))
print(1 % 0, -1 % 0, 0 % 0)
print(0 % 5, -0 % 5, 2^53 % 3)
