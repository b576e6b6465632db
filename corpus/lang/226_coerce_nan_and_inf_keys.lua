-- inf is a valid key, NaN reads as nil
local t = {}
local inf, nan = 1/0, 0/0
t[inf] = "inf"
t[-inf] = "-inf"
print(t[inf], t[-inf], t[1e308 * 10])
print(t[nan])
print(nan == nan, nan ~= nan, nan < 1, nan > 1, nan <= nan)
print(rawequal(nan, nan))
