-- bit.tohex: digit counts (default 8, negative for upper case, capped at 254), zero extension, wrapping
print(bit.tohex(255), bit.tohex(-1), bit.tohex(0), bit.tohex(2^32 + 0xab))
for _, n in ipairs({0, 1, 2, 3, 7, 8, 9, 15, 16, 17, -1, -4, -8, -9, -16, 2.5, "4"}) do
  print(n, bit.tohex(0x12345678, n), bit.tohex(-2, n))
end
print(#bit.tohex(1, 254), #bit.tohex(1, 255), #bit.tohex(1, 300), #bit.tohex(1, -300), bit.tohex(1, 2^32 + 2))
print(pcall(bit.tohex))
print(pcall(bit.tohex, 1, "z"))
print(pcall(bit.tohex, 1, nil))
