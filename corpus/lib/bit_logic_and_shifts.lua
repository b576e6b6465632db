-- band/bor/bxor (variadic), bnot, shifts (count mod 32), rotations, bswap, with mixed argument kinds
print(bit.band(0xff, 0x0f0), bit.bor(1, 2, 4, 8), bit.bxor(5, 3, 1), bit.band(7), bit.bor(-1), bit.bxor(0))
print(bit.band(-1, -1, -1, 5), bit.band(1.7, 3), bit.bor(" 3 ", 0), bit.bxor(2^32 + 1, 1))
print(bit.bnot(0), bit.bnot(-1), bit.bnot(0x7fffffff), bit.bnot(2^32))
for _, n in ipairs({0, 1, 4, 31, 32, 33, -1, -31, 63, 2^32 + 3, 1.5}) do
  print(n, bit.lshift(1, n), bit.rshift(-1, n), bit.arshift(-256, n), bit.rol(0x12345678, n), bit.ror(0x12345678, n))
end
print(bit.arshift(0x80000000, 31), bit.rshift(0x80000000, 31), bit.lshift(0x80000000, 1))
print(bit.bswap(0x12345678), bit.bswap(-1), bit.bswap(0x80), bit.bswap(0))
print(pcall(bit.band))
print(pcall(bit.bor, 1, {}))
print(pcall(bit.lshift, 1))
print(pcall(bit.rol, "a", 1))
print(pcall(function() local x = bit.bxor(1, 2, nil); return x end))
local ok, e = pcall(function() local f = bit.ror; local x = f(1, nil); return x end)
print(ok, e)
