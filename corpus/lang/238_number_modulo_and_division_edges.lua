-- modulo and division with negatives, zero and fractions
print(-7 % 3, 7 % -3, -7 % -3)
print(5.5 % 2, -5.5 % 2)
print(1 / 0 > 0, -1 / 0 < 0)
print(1 % 0)
print(0 % 5, 5 % 5)
print(7 / 2, -7 / 2)
print(2 ^ 10, 2 ^ 0, 0 ^ 0, 4 ^ 0.5)
print(2 ^ -1, (-2) ^ 2, -2 ^ 2)
