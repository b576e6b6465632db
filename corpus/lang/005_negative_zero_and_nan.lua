-- negative zero and nan print as LuaJIT does on x86
print(-0.0)
print(0.0)
print(-0)
local z = 0
print(-z)
print(0 * -1)
print(0 / 0)
print(-(0 / 0))
local nan = 0 / 0
print(nan == nan)
print(nan ~= nan)
print(nan < 1, nan > 1, nan <= nan)
print(-0.0 == 0.0)
print(1 / -0.0)
print(tostring(-0.0))
print(tostring(0 / 0))
