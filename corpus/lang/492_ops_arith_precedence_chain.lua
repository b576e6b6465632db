-- arithmetic precedence and left associativity of - / and right associativity of ^
print(10 - 3 - 2, 100 / 10 / 2, 2 ^ 2 ^ 3)
print(1 + 2 * 3 - 4 / 2, (1 + 2) * (3 - 4) / 2)
print(7 % 4 * 2, 7 * 4 % 5, -7 % 4 ^ 2)
print(2 * -3, 2 ^ -1, -2 ^ -2)
print(1 - -1, 1 - - - 1, 5 -3)
