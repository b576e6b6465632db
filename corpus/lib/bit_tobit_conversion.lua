-- bit.tobit: LuaJIT's number-to-int32 rule (round to even, wrap modulo 2^32), strings, errors
local xs = {0, -0, 1, -1, 0.5, 1.5, 2.5, -0.5, -1.5, 2^31 - 1, 2^31, -2^31, -2^31 - 1, 2^32, 2^32 + 5,
  4294967295.5, 2^51, 2^51 + 0.5, 2^52, 2^53, 2^60 + 3, 1e300, -1e300, 1/0, -1/0, 0/0, 2^-1074, 0x7fffffff, 0xffffffff}
for _, x in ipairs(xs) do print(x, bit.tobit(x)) end
print(bit.tobit("0x10"), bit.tobit(" 12 "), bit.tobit("1e3"), bit.tobit("-7.5"))
print(pcall(bit.tobit))
print(pcall(bit.tobit, nil))
print(pcall(bit.tobit, "x"))
print(pcall(bit.tobit, {}))
print(pcall(function() local v = bit.tobit(true); return v end))
print(require("bit") == bit, package.loaded.bit == bit)
