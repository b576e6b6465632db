-- tonumber on inf/nan words, huge exponents and leading zeros
print(tonumber("inf"), tonumber("nan"), tonumber("-inf"))
print(tonumber("1e500"), tonumber("-1e500"))
print(tonumber("1e-500"))
print(tonumber("010"), tonumber("00"), tonumber("-0"))
print(tonumber("0b101"))
print(tonumber("1_000"))
print(tonumber("0x7fffffffffffffff"))
print(tonumber("9007199254740993"))
